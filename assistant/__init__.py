"""Begleiter: an offline German voice companion (import package ``assistant``)."""

import os

# One utterance at a time: single-threaded BLAS is fastest for the semantic layer's small matrix
# products, and never competes with the audio threads (a value set in the environment wins).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
