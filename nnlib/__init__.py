"""nnlib: a small NumPy neural-network library with a Keras-shaped API.

Written alongside the book *Neural Networks from Scratch*: each chapter derives a
piece and then points at the line of ``nnlib`` that implements it. One module per
concept -- a reader who knows the chapter title knows the file:

========================  ===========================================  =========
module                    what it holds                                chapter
========================  ===========================================  =========
``nnlib.activations``     step, sigmoid, tanh, relu, softmax, gelu,    2, 9
                          softplus, ...
``nnlib.layers``          Input, Dense, Activation, Flatten, ... (a     3, 6
                          package, one module per family as Keras)
``nnlib.losses``          MSE and the cross-entropies, with gradients  4, 6
``nnlib.gradients``       numerical derivatives, gradient checks       5, 6
``nnlib.optimizers``      SGD, RMSprop, Adam, AdamW; schedules         5, 7, 9
``nnlib.initializers``    glorot_uniform, he_normal, ...               7
``nnlib.models``          Sequential: compile, fit, predict, ...       7
``nnlib.metrics``         accuracy, confusion_matrix                   7, 9
``nnlib.callbacks``       EarlyStopping, LearningRateScheduler, ...    9
``nnlib.regularizers``    L1, L2, L1L2 weight penalties                12
``nnlib.datasets``        glyphs, spirals, coffee roasting, ...        7, 9
``nnlib.plotting``        diagrams, curves, decision boundaries        all
``nnlib.autodiff``        a small reverse-mode autodiff engine         8
``nnlib.hopfield``        a Hopfield network (Hebbian storage)         11
``nnlib.widgets``         sliders, live and pre-computed               3, 5, 7
``nnlib.grading``         clear feedback for the exercise checks       exercises
``nnlib.listing``         show_source: the "In nnlib" listings         all
========================  ===========================================  =========

``nnlib.widgets`` (which needs ipywidgets) and ``nnlib.grading`` (used by the exercise
checks) are imported on their own: ``from nnlib import widgets``.
"""
from . import (activations, autodiff, callbacks, config, datasets, gradients, hopfield, initializers, layers, listing,
               losses, metrics, models, optimizers, plotting, regularizers)
from .config import floatx, set_floatx, set_random_seed
from .layers import Activation, Dense, Flatten, Input, Reshape
from .layers import AveragePooling2D, Conv2D, MaxPooling2D
from .models import Sequential

__version__ = "0.1.0"

__all__ = [
    "Activation", "Dense", "Flatten", "Input", "Reshape", "Sequential", "activations", "autodiff", "callbacks", "config", "datasets",
    "floatx", "gradients", "hopfield", "initializers", "layers", "listing", "losses", "metrics", "models",
    "optimizers", "plotting", "regularizers", "set_floatx", "set_random_seed",
]
__all__ += ["AveragePooling2D", "Conv2D", "MaxPooling2D"]
