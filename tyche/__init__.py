__version__ = "0.1.0"
"Fast Monte Carlo estimates of the prior mass of behavioral basins in parameter space."
from .volume import estimate_volume, VolumeResult, Preconditioner, DiagonalPreconditioner, DensePreconditioner
from .radius import find_radii, RadiusResult
