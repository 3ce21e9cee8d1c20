#!/usr/bin/env python3
"""Differential check of Reel's video pipelines against mmaction2 0.24.1's own classes (issue 17).

The test-mode pipelines of scripts/mmaction2_pipeline_check.py with the frames read from video files: each
`RawFrameDecode` becomes an Init step before the sampler and the matching Decode step (decord and PyAV backends), the
dataset a VideoDataset (start_index 0). Reel's output (`reel inspect pipeline --save-npy`) and mmaction2's Compose
output are compared as float32 arrays; the tolerance is the rawframe check's (max |diff| 0.05, mean 0.005).

usage: V/bin/python scripts/mmaction2_video_pipeline_check.py REEL VIDEOS_DIR
  VIDEOS_DIR  videos with ann_videos.txt (`path label`), e.g. from scripts/pipeline_ref_video.py gen DIR
  V           the venv of mmaction2_pipeline_check.py plus `decord` and `av`
"""
import os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmaction2_pipeline_check import PIPELINES, compare  # noqa: E402  (imports the shims and mmaction2)

BACKENDS = {'decord': ("dict(type='DecordInit')", "dict(type='DecordDecode')"),
            'pyav': ("dict(type='PyAVInit')", "dict(type='PyAVDecode')")}


def video_pipeline(pipeline, init, decode):
    """The rawframe pipeline text with the Init step first and the Decode step in RawFrameDecode's place."""
    start = pipeline.index("dict(type='RawFrameDecode'")
    end = pipeline.index(')', start) + 1
    return '[' + init + ', ' + pipeline[1:start] + decode + pipeline[end:]


def main():
    reel, videos = sys.argv[1], os.path.abspath(sys.argv[2])
    ann = os.path.join(videos, 'ann_videos.txt')
    lines = [l.split() for l in open(ann) if l.strip()]
    tmp = tempfile.mkdtemp()
    cfg_path, npy = os.path.join(tmp, 'p.py'), os.path.join(tmp, 'r.npy')
    failed = False
    for backend, (init, decode) in BACKENDS.items():
        for name, rawframe_pipeline in PIPELINES.items():
            pipeline = video_pipeline(rawframe_pipeline, init, decode)
            with open(cfg_path, 'w') as f:
                f.write(f"p = {pipeline}\ndata = dict(videos_per_gpu=1, test=dict(type='VideoDataset', ann_file='{ann}', "
                        f"data_prefix='{videos}', pipeline=p))\n")
            failed |= not compare(reel, cfg_path, npy, f'{backend}: {name}', [
                (idx, dict(filename=os.path.join(videos, lines[idx][0]), label=int(lines[idx][1]), start_index=0,
                           modality='RGB'))
                for idx in range(0, len(lines), max(1, len(lines) // 6))])
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
