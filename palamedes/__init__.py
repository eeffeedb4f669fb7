"Precise basin volumes by thermodynamic integration with Langevin-type and elliptical slice samplers."
__version__ = "0.1.0"
from .ti import estimate_volume, TIResult
