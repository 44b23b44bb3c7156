"""Layers, one module per family as Keras lays out its own.

=====================  ===================================  =========
module                 layers                               chapter
=====================  ===================================  =========
``layers.base``        Layer (the shared interface)         3, 6
``layers.core``        Input, Dense, Activation             3, 6
``layers.reshaping``   Flatten, Reshape                     13
``layers.recurrent``   SimpleRNN, LSTM, GRU (and one-step   14
                       functions for each cell)
=====================  ===================================  =========

Import them from here, as in Keras: ``from nnlib.layers import Dense``.
"""
from .base import Layer
from .core import Activation, Dense, Input
from .recurrent import GRU, LSTM, RNN, SimpleRNN
from .reshaping import Flatten, Reshape

__all__ = ["Activation", "Dense", "Flatten", "GRU", "Input", "LSTM", "Layer", "RNN", "Reshape", "SimpleRNN"]
