"""Interactive explorers for the book: live ipywidgets and their static twins.

Every explorer in the book follows the same four-part pattern:

1. a *pure* function computes the data, and is unit-tested;
2. a *figure* function draws it with Matplotlib;
3. a *live* explorer wraps the figure function in thin ipywidgets sliders; it needs a running
   Jupyter kernel (and ipywidgets, imported only when a live explorer is built);
4. a *static twin* pre-computes one figure per slider position and packs the frames, range
   sliders and a few lines of JavaScript into one self-contained HTML snippet. The twin needs no
   kernel and no network, so the sliders still work in the HTML book.

One module per job:

=====================  ===========================================================  =======
module                 what it holds                                                chapter
=====================  ===========================================================  =======
``static``             the static twins: ``static_slider`` (one slider) and         3, 5, 7
                       ``static_slider_grid`` (two sliders), for any figure function
``network``            layer sizes and parameter counts: ``layer_size_explorer``    3
``descent``            gradient descent on a bowl: ``learning_rate_explorer``       5
``training``           training a small classifier: ``training_explorer``           7
``regularization``     dropout rate or L2 factor against the curves:                12
                       ``regularization_explorer``
``convolution``        kernel size and stride: ``convolution_explorer``             13
``_checks``            argument checks shared by the modules above                  --
=====================  ===========================================================  =======

Every public name is available from the package itself: ``from nnlib import widgets`` and then
``widgets.static_slider``, ``widgets.training_explorer``, and so on.
"""

from .convolution import (ConvLayerGeometry, conv_geometry, convolution_explorer, convolution_figure,
                          static_convolution_explorer)
from .descent import (BOWL_START, DESCENT_LEARNING_RATES, DESCENT_REGIMES, bowl, bowl_gradient, descent_figure,
                      descent_path_on_bowl, descent_regime, describe_descent, learning_rate_explorer,
                      static_learning_rate_explorer)
from .network import (LayerSummary, NetworkSummary, layer_size_explorer, layer_size_figure, layer_size_frames,
                      network_summary, static_layer_size_explorer)
from .static import (figure_to_png_base64, render_frames, static_slider, static_slider_grid,
                     static_slider_grid_html, static_slider_html)
from .regularization import (DROPOUT_RATES, L2_STRENGTHS, REGULARIZATION_KINDS, RegularizationRun, digits_splits,
                             regularization_explorer, regularization_figure, static_regularization_explorer,
                             train_with_regularization)
from .regularization import __all__ as _regularization_names
from .training import (TRAINING_DATASETS, TRAINING_LEARNING_RATES, TrainingRun, static_training_explorer,
                       train_classifier_2d, training_explorer, training_figure)

__all__ = [
    # chapter 3, Forward propagation
    "LayerSummary",
    "NetworkSummary",
    "network_summary",
    "layer_size_figure",
    "layer_size_explorer",
    # the static twins
    "figure_to_png_base64",
    "render_frames",
    "static_slider_html",
    "static_slider",
    # chapter 3, Forward propagation
    "layer_size_frames",
    "static_layer_size_explorer",
    # chapter 5, Numerical gradients and gradient descent
    "DESCENT_LEARNING_RATES",
    "BOWL_START",
    "DESCENT_REGIMES",
    "bowl",
    "bowl_gradient",
    "descent_path_on_bowl",
    "descent_regime",
    "descent_figure",
    "describe_descent",
    "learning_rate_explorer",
    "static_learning_rate_explorer",
    # chapter 7, Training a network
    "TRAINING_DATASETS",
    "TRAINING_LEARNING_RATES",
    "TrainingRun",
    "train_classifier_2d",
    "training_figure",
    "training_explorer",
    # the static twins
    "static_slider_grid_html",
    "static_slider_grid",
    # chapter 7, Training a network
    "static_training_explorer",
]
__all__ += _regularization_names  # chapter 12, Generalisation and regularisation
__all__ += ["ConvLayerGeometry", "conv_geometry", "convolution_figure", "convolution_explorer",
            "static_convolution_explorer"]  # chapter 13, Convolutional networks
