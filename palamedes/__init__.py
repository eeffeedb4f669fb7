"Precise basin volumes: replica exchange over a ladder of spring constants with reflective HMC, free energies by MBAR."
__version__ = "0.1.0"
from .estimate import estimate_volume, VolumeEstimate
