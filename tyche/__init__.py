"Fast Monte Carlo estimates of the prior mass of behavioral basins in neural-network parameter space."
__version__ = "0.1.0"
from .volume import estimate_volume, VolumeResult, Preconditioner, DiagonalPreconditioner, MatrixPreconditioner
from .radius import find_radii, RadiusResult
from .costs import KLCost, LossCost
from .hf import VolumeConfig, VolumeEstimator
from . import precondition
from .precondition import from_adam, hutchinson_diagonal, lowrank, EigenPreconditioner, LowRankPreconditioner
