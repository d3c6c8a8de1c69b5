"""Fine-tuning: choosing the base model to fine-tune from small fine-tuning subsets with the
rectified scaling law (Lin et al. 2024). The names load on first use."""

from __future__ import annotations

__all__: list[str] = []
