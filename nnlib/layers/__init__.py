"""Layers, one module per family as Keras lays out its own.

=====================  ===================================  =========
module                 layers                               chapter
=====================  ===================================  =========
``layers.base``        Layer (the shared interface)         3, 6
``layers.core``        Input, Dense, Activation             3, 6
``layers.reshaping``   Flatten, Reshape                     13
``layers.pooling``     MaxPooling2D, AveragePooling2D       13
``layers.im2col``      the windows helpers (no layers)      13
``layers.recurrent``   SimpleRNN, LSTM, GRU (and one-step   14
                       functions for each cell)
=====================  ===================================  =========

Chapter 13's ``Conv2D`` is in ``layers.convolutional``.

Import them from here, as in Keras: ``from nnlib.layers import Dense``.
"""
from .base import Layer
from .core import Activation, Dense, Input
from .recurrent import GRU, LSTM, RNN, SimpleRNN
from .reshaping import Flatten, Reshape
from .convolutional import Conv2D
from .pooling import AveragePooling2D, MaxPooling2D

__all__ = ["Activation", "Dense", "Flatten", "Input", "Layer", "Reshape"]
__all__ += ["AveragePooling2D", "Conv2D", "MaxPooling2D"]
__all__ += ["GRU", "LSTM", "RNN", "SimpleRNN"]
