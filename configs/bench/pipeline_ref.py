# The data pipeline of ../shared/bench/pipeline_ref.py (its `mm` mode runs mmaction2 0.24.1's own classes on it) — the
# medium workload's train pipeline — on that script's frames, for
# `reel bench --config configs/bench/pipeline_ref.py --pipeline`. Make the frames with
# `python3 pipeline_ref.py gen data/bench-frames` (64 videos x 48 frames, 171x128 JPEG).
_base_ = ['./tsm_r18w32_medium.py']
data = dict(train=dict(ann_file='data/bench-frames/ann_rawframes.txt', data_prefix='data/bench-frames'))
