"""What is claimed: check-worthy claims with their claimants, and the disputes the article itself contains."""

from presslens.claims.checkworthiness import CheckworthinessModel, load_checkworthiness
from presslens.claims.detect import detect_claims

__all__ = ["CheckworthinessModel", "detect_claims", "load_checkworthiness"]
