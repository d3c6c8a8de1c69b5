"""Planning: compute-optimal and inference-aware allocation, distillation against supervised
training, the trade-off between model size and repeated samples at inference, IsoFLOP
analysis, inverse queries."""

from .comparison import SetupComparison as SetupComparison
from .comparison import compare as compare
from .comparison import compare_data as compare_data
from .configure import Configurations as Configurations
from .configure import Constraints as Constraints
from .configure import configure as configure
from .curves import steps_to_reach as steps_to_reach
from .density import capacity_density as capacity_density
from .density import effective_params as effective_params
from .density import release_days as release_days
from .distill import DistillationPlan as DistillationPlan
from .distill import distillation as distillation
from .inference import InferenceAllocation as InferenceAllocation
from .inference import inference_optimal as inference_optimal
from .inverse import Requirement as Requirement
from .inverse import params_to_reach as params_to_reach
from .inverse import tokens_to_reach as tokens_to_reach
from .isoflops import Envelope as Envelope
from .isoflops import IsoFlop as IsoFlop
from .isoflops import envelope as envelope
from .isoflops import isoflop as isoflop
from .optimal import Allocation as Allocation
from .optimal import compute_optimal as compute_optimal
from .optimal import flops_to_reach as flops_to_reach
from .reward import RewardPeak as RewardPeak
from .reward import reward_peak as reward_peak
from .reward_sizes import RewardPeaks as RewardPeaks
from .reward_sizes import reward_peaks as reward_peaks
from .sampling import SamplingTradeoff as SamplingTradeoff
from .sampling import inference_tradeoff as inference_tradeoff
from .sparsity import SparsityChoice as SparsityChoice
from .sparsity import optimal_sparsity as optimal_sparsity
from .vocab import VocabularyChoice as VocabularyChoice
from .vocab import optimal_vocabulary as optimal_vocabulary

#: the former name of :class:`SetupComparison` (kept for code that imports it)
Comparison = SetupComparison
