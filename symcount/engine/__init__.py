"""The engine: from a parsed program to exact counts, shapes and MACs.

``load`` reads a program's blocks, networks and lets; ``sizing`` refuses a description
that expands too far before anything is walked; ``walk`` goes through a network's body,
``binding`` turns each call's written arguments into an entry's values, ``results`` is
what comes out; ``algebra`` compares and solves the sympy expressions a count is made of.
"""
