# torch_ref.py workload "small": ResNetTSM-18 at base width 16, 8 clips x 8 frames of 64x64, 10 classes.
_base_ = ['./_bench_base.py']
