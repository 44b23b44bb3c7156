"""Layers, one module per family as Keras lays out its own.

=========================  ===================================  =========
module                     layers                               chapter
=========================  ===================================  =========
``layers.base``            Layer (the shared interface)         3, 6
``layers.core``            Input, Dense, Activation             3, 6
``layers.reshaping``       Flatten, Reshape                     13
``layers.regularization``  Dropout                              12
``layers.normalization``   BatchNormalization                   12
``layers.convolutional``   Conv2D                               13
``layers.pooling``         MaxPooling2D, AveragePooling2D       13
``layers.im2col``          the windows helpers (no layers)      13
=========================  ===================================  =========

Import them from here, as in Keras: ``from nnlib.layers import Dense``.
"""
from .base import Layer
from .core import Activation, Dense, Input
from .normalization import BatchNormalization
from .regularization import Dropout
from .reshaping import Flatten, Reshape
from .convolutional import Conv2D
from .pooling import AveragePooling2D, MaxPooling2D

__all__ = ["Activation", "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten",
           "Input", "Layer", "MaxPooling2D", "Reshape"]
