"""Data-parallel training across processes: torch's DistributedDataParallel under ``fit(distributed=True)``.

Every process of the launch (``torchrun`` on one machine or several) runs the same script on the same
data. Each draws its own share of every epoch's batches (a :class:`~torch.utils.data.DistributedSampler`
seeded alike in all of them, so the shares partition the epoch), and DDP averages the gradients after
each step, so every process holds the same weights throughout. Validation runs in every process over
the whole validation part: the scores, hence early stopping's decisions, agree without communication.
"""

import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

# What a launcher such as torchrun sets for each process; init_process_group reads it.
_LAUNCHER_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def process_group(device):
    """``(rank, world_size)`` of this process, starting the process group from the launcher's settings if needed.

    The backend is NCCL on CUDA and gloo on the CPU. A process group the caller started is used as it is.
    """
    if not dist.is_available():
        raise ValueError("distributed=True, but this build of torch has no torch.distributed.")
    if not dist.is_initialized():
        missing = [name for name in _LAUNCHER_VARIABLES if name not in os.environ]
        if missing:
            raise ValueError(
                "distributed=True needs a torch.distributed process group, and this process has none "
                f"(no {', '.join(missing)} in its environment). Launch the script with torchrun, e.g. "
                "`torchrun --nproc_per_node=2 pretrain.py`, or call torch.distributed.init_process_group() "
                "before fit; for one process, leave distributed=False."
            )
        dist.init_process_group(backend="nccl" if str(device).startswith("cuda") else "gloo")
    return dist.get_rank(), dist.get_world_size()


def local_device(device):
    """``"cuda"`` means this process's own GPU (``LOCAL_RANK``, set by the launcher); others are kept."""
    if device == "cuda":
        return f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
    return device


def first_process_value(value):
    """The first process's ``value``, in every process (a seed drawn from ``random_state=None`` differs)."""
    shared = [value]
    dist.broadcast_object_list(shared, src=0)
    return shared[0]


def wrap(module, device):
    """``module`` inside DDP, which copies the first process's weights to every process and averages gradients."""
    device_ids = [torch.device(device).index] if str(device).startswith("cuda") else None
    return DistributedDataParallel(module, device_ids=device_ids)


def train_iterator(dataset, batch_size, seed, epoch, **loader_params):
    """This process's batches of one epoch; ``batch_size`` is split between the processes.

    Every process draws the same permutation (``seed`` and ``epoch``) and takes its own share; the
    sampler repeats a few items when the epoch does not divide evenly, so every process runs the same
    number of steps (DDP needs each step in all of them).
    """
    world = dist.get_world_size()
    sampler = DistributedSampler(dataset, num_replicas=world, rank=dist.get_rank(), shuffle=True, seed=seed)
    sampler.set_epoch(epoch)
    loader_params.pop("shuffle", None)  # the sampler shuffles
    return DataLoader(dataset, batch_size=max(1, batch_size // world), sampler=sampler, **loader_params)


def with_every_parameter(total, parameters):
    """``total`` plus zero times every trainable parameter.

    DDP waits for a gradient of every parameter it holds at every step, but a step's loss can leave
    some out (a chart the mapping term did not sample): the zero term gives them a zero gradient.
    Adam still moves such a parameter by its momentum, where a single-process step skips it: one
    reason the two trainings agree closely but not exactly.
    """
    return total + sum(param.sum() for param in parameters) * 0.0
