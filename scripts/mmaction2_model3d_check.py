#!/usr/bin/env python3
"""Differential check of Reel's 3-D recognizers (and ResNetTSM's non-local and temporal-pool variants) against mmaction2 0.24.1's own classes (issue 16).

For each case below, the same model config is built by mmaction2 and by Reel (`reel inspect model`), with the same
weights (random, BatchNorm statistics included, saved by this script as a .pth) and the same inputs; compared are
  - the eval-mode scores of a batch with several views per video (average_clips applied),
  - one train-mode step: the loss, then every parameter after a plain SGD step (lr 0.1) and every BatchNorm
    running statistic after the train-mode forward.
The `pretrained2d` cases build both from a torchvision-named 2-D ResNet file (inflated by each) and compare the
backbone's state after the same train-mode forward (lr 0: the head is drawn at random by each, so only the backbone
is compared).

usage: V/bin/python scripts/mmaction2_model3d_check.py REEL [--only NAME]
  REEL  the reel binary (.build/release/reel)
  V     a venv with torch (CPU), numpy, mmcv==1.7.2, mmaction2==0.24.1 (--no-deps), as scripts/make-model3d-fixtures.py
Prints one line per case with the max abs differences; exit status 1 if any exceeds its tolerance.
"""
import argparse, collections, copy, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location('fixtures', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'make-model3d-fixtures.py'))
fixtures = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(fixtures)
build_model = fixtures.mmaction2()
import torch  # noqa: E402

HEAD0 = "dropout_ratio=0"   # dropout draws differ between the two: the checked steps run without it
CASES = collections.OrderedDict([
    ('i3d_r50 (shipped backbone)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=True, pretrained=None, depth=50, "
              "conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, conv_cfg=dict(type='Conv3d'), norm_eval=False, "
              "inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False), "
              f"cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', {HEAD0}, init_std=0.01), "
              "train_cfg=None, test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 8, 64, 64), test=(1, 2, 3, 8, 64, 64))),
    ('slowonly_r50 (shipped backbone)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=50, pretrained=None, lateral=False, "
              "conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), norm_eval=False), "
              f"cls_head=dict(type='I3DHead', in_channels=2048, num_classes=400, spatial_type='avg', {HEAD0}), "
              "train_cfg=None, test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 4, 64, 64), test=(1, 2, 3, 4, 64, 64))),
    ('slowonly_r18 base 8', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8), "
              f"cls_head=dict(type='I3DHead', in_channels=64, num_classes=8, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(4, 1, 3, 8, 56, 56), test=(2, 3, 3, 8, 56, 56))),
    ('i3d_r18 base 8, 3x3x3, temporal strides, no pool2', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
              "inflate=(1, (1, 0), 0, (0, 1)), inflate_style='3x3x3', temporal_strides=(1, 2, 1, 1), with_pool2=False, "
              f"conv1_stride_t=2), cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), "
              "test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 8, 48, 48), test=(2, 2, 3, 8, 48, 48))),
    ('i3d_r50 base 8, 3 stages, caffe, 3x3x3, dilation, frozen_stages=1, norm_eval', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=50, pretrained=None, base_channels=8, "
              "num_stages=3, out_indices=(2,), spatial_strides=(1, 2, 2), temporal_strides=(1, 1, 2), dilations=(1, 1, 2), "
              "inflate_style='3x3x3', style='caffe', frozen_stages=1, norm_eval=True, with_pool1=False), "
              f"cls_head=dict(type='I3DHead', in_channels=128, num_classes=5, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 32, 32), test=(1, 3, 3, 8, 32, 32))),
    ('i3d_nl_dot_product_r50 (shipped backbone: sub_sample, BN3d, dot_product)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=True, pretrained=None, depth=50, "
              "conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, conv_cfg=dict(type='Conv3d'), norm_eval=False, "
              "inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False, "
              "non_local=((0, 0, 0), (0, 1, 0, 1), (0, 1, 0, 1, 0, 1), (0, 0, 0)), non_local_cfg=dict(sub_sample=True, use_scale=False, "
              "norm_cfg=dict(type='BN3d', requires_grad=True), mode='dot_product')), "
              f"cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', {HEAD0}, init_std=0.01), "
              "train_cfg=None, test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 64, 64), test=(1, 2, 3, 8, 64, 64), nl_std=0.001)),
    ('i3d_nl r18 base 8: embedded_gaussian (scaled) and gaussian', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
              "non_local=(0, (1, 0), (0, 1), 0), non_local_cfg=dict(mode='embedded_gaussian', reduction=4)), "
              f"cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 8, 48, 48), test=(1, 2, 3, 8, 48, 48))),
    ('i3d_nl r18 base 8: the shipped non_local_cfg (dot_product, sub_sample, BN3d, no scale)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
              "non_local=(0, (0, 1), (1, 1), 0), non_local_cfg=dict(sub_sample=True, use_scale=False, "
              "norm_cfg=dict(type='BN3d', requires_grad=True), mode='dot_product')), "
              f"cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 48, 48), test=(1, 2, 3, 8, 48, 48), nl_std=0.01)),
    ('i3d_nl r18 base 8: gaussian, sub_sample', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
              "non_local=(0, 1, (1, 0), 0), non_local_cfg=dict(mode='gaussian', sub_sample=True)), "
              f"cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 48, 48), test=(1, 2, 3, 8, 48, 48))),
    ('slowfast_r50 (shipped: tau 8, alpha 8, beta 8)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=8, "
              "speed_ratio=8, channel_ratio=8, slow_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=True, "
              "conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
              "norm_eval=False), fast_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=False, base_channels=8, "
              "conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, norm_eval=False)), cls_head=dict(type='SlowFastHead', "
              f"in_channels=2304, num_classes=400, spatial_type='avg', {HEAD0}), train_cfg=None, test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 16, 64, 64), test=(1, 2, 3, 16, 64, 64))),
    ('slowfast_r50 8x8 lateral_norm (multigrid/steplr backbone: tau 4, alpha 4, fusion_kernel 7)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=4, "
              "speed_ratio=4, channel_ratio=8, slow_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=True, "
              "lateral_norm=True, fusion_kernel=7, conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1), conv1_stride_t=1, "
              "pool1_stride_t=1, inflate=(0, 0, 1, 1), norm_eval=False), fast_pathway=dict(type='resnet3d', depth=50, pretrained=None, "
              "lateral=False, base_channels=8, conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, norm_eval=False)), "
              f"cls_head=dict(type='SlowFastHead', in_channels=2304, num_classes=400, spatial_type='avg', {HEAD0}), "
              "train_cfg=None, test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 12, 48, 48), test=(1, 2, 3, 12, 48, 48))),
    ('slowfast r18 slow base 16, fast base 4 (beta 4), tau 6 alpha 3, non-local, fast frozen_stages=1, norm_eval', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=6, "
              "speed_ratio=3, channel_ratio=4, slow_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=True, "
              "base_channels=16, conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1), non_local=(0, 0, (1, 0), 0), "
              "non_local_cfg=dict(sub_sample=True), norm_eval=True, with_pool2=False), fast_pathway=dict(type='resnet3d', depth=18, "
              "pretrained=None, lateral=False, base_channels=4, conv1_kernel=(5, 7, 7), frozen_stages=1)), "
              f"cls_head=dict(type='SlowFastHead', in_channels=160, num_classes=7, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(3, 1, 3, 19, 40, 40), test=(1, 3, 3, 19, 40, 40))),
    ('i3d_r50 base 16 from a 2-D ResNet-50 (pretrained2d)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=50, pretrained='PRETRAINED', base_channels=16, "
              "conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), "
              f"zero_init_residual=False), cls_head=dict(type='I3DHead', in_channels=512, num_classes=5, {HEAD0}), "
              "test_cfg=dict(average_clips=None))",
        pretrained2d=dict(depth=50, base=16), train=(2, 1, 3, 16, 64, 64), test=(2, 1, 3, 16, 64, 64))),
    ('slowonly_r18 base 8 from a 2-D ResNet-18 (pretrained2d)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained='PRETRAINED', "
              f"base_channels=8), cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), "
              "test_cfg=dict(average_clips=None))",
        pretrained2d=dict(depth=18, base=8), train=(2, 1, 3, 4, 32, 32), test=(2, 1, 3, 4, 32, 32))),
    # C3D, R(2+1)D, CSN, X3D: the shipped backbones (configs/_base_/models/…, pretrained=None) on small clips, and a
    # small variant each.
    ('c3d (shipped backbone, out_dim 512 for 16×16×16 clips)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='C3D', pretrained=None, style='pytorch', "
              "conv_cfg=dict(type='Conv3d'), norm_cfg=None, act_cfg=dict(type='ReLU'), out_dim=512, dropout_ratio=0, init_std=0.005), "
              f"cls_head=dict(type='I3DHead', num_classes=101, in_channels=4096, spatial_type=None, {HEAD0}, init_std=0.01), "
              "train_cfg=None, test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 16, 16, 16), test=(1, 2, 3, 16, 16, 16))),
    ('c3d with BN3d, out_dim 2048 for 16×32×32 clips', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='C3D', norm_cfg=dict(type='BN3d', eps=1e-3, momentum=0.2), "
              f"out_dim=2048, dropout_ratio=0), cls_head=dict(type='I3DHead', num_classes=5, in_channels=4096, spatial_type=None, {HEAD0}), "
              "test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 16, 32, 32), test=(1, 2, 3, 16, 32, 32))),
    ('r2plus1d_r34 (shipped backbone)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=34, pretrained=None, pretrained2d=False, "
              "norm_eval=False, conv_cfg=dict(type='Conv2plus1d'), norm_cfg=dict(type='SyncBN', requires_grad=True, eps=1e-3), "
              "conv1_kernel=(3, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2), "
              f"temporal_strides=(1, 2, 2, 2), zero_init_residual=False), cls_head=dict(type='I3DHead', num_classes=400, in_channels=512, "
              f"spatial_type='avg', {HEAD0}, init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 16, 64, 64), test=(1, 2, 3, 16, 64, 64))),
    ('r2plus1d_r50 base 8, 3x3x3, caffe, frozen_stages=1', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=50, pretrained=None, pretrained2d=False, "
              "base_channels=8, conv_cfg=dict(type='Conv2plus1d'), inflate=(0, 1, (1, 0, 1, 0, 1, 0), 1), inflate_style='3x3x3', "
              "temporal_strides=(1, 1, 2, 2), style='caffe', frozen_stages=1), "
              f"cls_head=dict(type='I3DHead', num_classes=5, in_channels=256, {HEAD0}), test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 8, 64, 64), test=(2, 2, 3, 8, 64, 64))),
    ('ircsn_r152 (shipped backbone)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, depth=152, "
              "with_pool2=False, bottleneck_mode='ir', norm_eval=False, zero_init_residual=False), "
              f"cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', {HEAD0}, init_std=0.01), "
              "train_cfg=None, test_cfg=dict(average_clips='prob', max_testing_views=10))",
        train=(2, 1, 3, 16, 64, 64), test=(1, 2, 3, 16, 64, 64))),
    ('ipcsn_r50 base 8, norm_eval + bn_frozen, 3x1x1', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, depth=50, "
              "base_channels=8, bottleneck_mode='ip', norm_eval=True, bn_frozen=True, inflate_style='3x1x1', inflate=(1, 0, 1, 0)), "
              f"cls_head=dict(type='I3DHead', num_classes=5, in_channels=256, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 32, 32), test=(1, 2, 3, 8, 32, 32))),
    ('x3d_m (shipped backbone and head)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2), "
              f"cls_head=dict(type='X3DHead', in_channels=432, num_classes=400, spatial_type='avg', {HEAD0}, fc1_bias=False), "
              "train_cfg=None, test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 4, 64, 64), test=(1, 2, 3, 4, 64, 64))),
    ('x3d gamma_w 0.25, SE in all blocks, fc1_bias, frozen_stages=1, norm_eval', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=0.25, gamma_b=1.5, gamma_d=1, se_style='all', "
              "se_ratio=0.25, frozen_stages=1, norm_eval=True, spatial_strides=(1, 2, 2, 2)), "
              f"cls_head=dict(type='X3DHead', in_channels=96, num_classes=5, fc1_bias=True, {HEAD0}), test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 4, 32, 32), test=(2, 2, 3, 4, 32, 32))),
    # ResNetTSM's non-local blocks (NL3DWrapper) and temporal pool (Recognizer2D: inputs N × segments × C × H × W; mmaction2's
    # 2-D ResNet has no base_channels, so these run at full width on small frames).
    ('tsm_nl r50 (the shipped non_local and dot_product cfg)', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=50, pretrained=None, "
              "num_segments=4, norm_eval=False, non_local=((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 0, 0)), "
              "non_local_cfg=dict(sub_sample=True, use_scale=False, norm_cfg=dict(type='BN3d', requires_grad=True), mode='dot_product')), "
              f"cls_head=dict(type='TSMHead', num_classes=5, in_channels=2048, num_segments=4, {HEAD0}, is_shift=True), "
              "test_cfg=dict(average_clips='prob'))",
        train=(2, 4, 3, 64, 64), test=(1, 8, 3, 64, 64), nl_std=0.001, residual_scale=0.2)),
    ('tsm_nl r50, embedded_gaussian', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=50, pretrained=None, "
              "num_segments=4, non_local=((0, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0, 0, 1), (1, 0, 0)), non_local_cfg=dict(mode='embedded_gaussian', "
              "sub_sample=True, use_scale=True)), "
              f"cls_head=dict(type='TSMHead', num_classes=5, in_channels=2048, num_segments=4, {HEAD0}), "
              "test_cfg=dict(average_clips='score'))",
        train=(2, 4, 3, 64, 64), test=(2, 8, 3, 64, 64), nl_std=0.01, residual_scale=0.2)),
    ('tsm r50 (no non-local: the blocks the wrappers hold)', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=50, pretrained=None, num_segments=4), "
              f"cls_head=dict(type='TSMHead', num_classes=5, in_channels=2048, num_segments=4, {HEAD0}), "
              "test_cfg=dict(average_clips='score'))",
        train=(2, 4, 3, 64, 64), test=(2, 8, 3, 64, 64), residual_scale=0.2)),
    # TRNHead on a TSN ResNet-18: with num_segments=3 the multi-scale module uses every subset of every scale (C(3, 2) = 3,
    # the most it draws), so mmaction2's NumPy draws cannot make the two differ.
    ('trn r18, TRNMultiScale over 3 segments', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False), "
              f"cls_head=dict(type='TRNHead', num_classes=6, in_channels=512, num_segments=3, relation_type='TRNMultiScale', "
              f"hidden_dim=32, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 3, 3, 32, 32), test=(2, 6, 3, 32, 32))),
    ('trn r18, TRN over 4 segments', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None, partial_bn=True), "
              f"cls_head=dict(type='TRNHead', num_classes=6, in_channels=512, num_segments=4, relation_type='TRN', "
              f"hidden_dim=16, {HEAD0}), test_cfg=dict(average_clips='score'))",
        train=(2, 4, 3, 32, 32), test=(1, 8, 3, 32, 32))),
    # Multi-label (the MMiT/HVU configs): multi-hot float labels, a multi_class head — BCELossWithLogits with label
    # smoothing and class weights, and the soft-label cross-entropy a single-label head applies to such labels.
    ('tsn r18 multi-label: BCELossWithLogits, label_smooth_eps, class_weight (the MMiT/HVU head)', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False), "
              "cls_head=dict(type='TSNHead', num_classes=6, in_channels=512, multi_class=True, label_smooth_eps=0.1, "
              f"loss_cls=dict(type='BCELossWithLogits', loss_weight=160.0, class_weight=[1.0, 2.0, 0.5, 1.0, 3.0, 1.0]), {HEAD0}), "
              "test_cfg=dict(average_clips=None))",
        train=(3, 3, 3, 32, 32), test=(2, 3, 3, 32, 32), multi_label=True)),
    ('slowonly r18 base 8, multi-hot labels under a single-label head (soft-label cross-entropy)', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8), "
              f"cls_head=dict(type='I3DHead', in_channels=64, num_classes=5, {HEAD0}), test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 4, 32, 32), test=(1, 2, 3, 4, 32, 32), multi_label=True)),
    # TPN on a SlowOnly-R18 at base 16 (levels of 64 and 128 channels). Without the auxiliary head: its dropout
    # (p=0.5, not configurable in mmaction2) would draw differently in the two; TPNTests checks its gradients.
    ('tpn slowonly r18 base 16, cascade', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=16, "
              "lateral=False, out_indices=(2, 3), conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
              "norm_eval=False), neck=dict(type='TPN', in_channels=(64, 128), out_channels=64, "
              "spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128), temporal_modulation_cfg=dict(downsample_scales=(4, 4)), "
              "upsample_cfg=dict(scale_factor=(1, 1, 1)), downsample_cfg=dict(downsample_scale=(1, 1, 1)), "
              "level_fusion_cfg=dict(in_channels=(64, 64), mid_channels=(64, 64), out_channels=128, downsample_scales=((1, 1, 1), (1, 1, 1))), "
              f"aux_head_cfg=None), cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, {HEAD0}), "
              "test_cfg=dict(average_clips='prob'))",
        train=(2, 1, 3, 8, 64, 64), test=(1, 2, 3, 8, 64, 64))),
    ('tpn slowonly r18 base 16, parallel flow, no top-down', dict(
        model="model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=16, "
              "lateral=False, out_indices=(2, 3), inflate=(0, 0, 1, 1)), neck=dict(type='TPN', in_channels=(64, 128), out_channels=64, "
              "spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128), temporal_modulation_cfg=dict(downsample_scales=(2, 2)), "
              "downsample_cfg=dict(downsample_scale=(1, 1, 1)), flow_type='parallel', "
              "level_fusion_cfg=dict(in_channels=(64, 64), mid_channels=(32, 64), out_channels=64)), "
              f"cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, {HEAD0}), test_cfg=dict(average_clips='score'))",
        train=(2, 1, 3, 8, 64, 64), test=(1, 2, 3, 8, 64, 64))),
    # TPN on Recognizer2D (the TPN-TSM config): a TSM-R18's stages 3 and 4 (256, 512 channels), each video's 4 frames one
    # clip in training; fcn_test=True scores each num_segs=4 clip of the test frames (two here) with fc_cls as a 1×1×1 conv.
    ('tpn tsm r18 on Recognizer2D, fcn_test', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, pretrained=None, num_segments=4, "
              "out_indices=(2, 3), norm_eval=False), neck=dict(type='TPN', in_channels=(256, 512), out_channels=256, "
              "spatial_modulation_cfg=dict(in_channels=(256, 512), out_channels=512), temporal_modulation_cfg=dict(downsample_scales=(4, 4)), "
              "upsample_cfg=dict(scale_factor=(1, 1, 1)), downsample_cfg=dict(downsample_scale=(1, 1, 1)), "
              "level_fusion_cfg=dict(in_channels=(256, 256), mid_channels=(256, 256), out_channels=512, downsample_scales=((1, 1, 1), (1, 1, 1)))), "
              f"cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, {HEAD0}), "
              "test_cfg=dict(average_clips='score', fcn_test=True))",
        train=(2, 4, 3, 64, 64), test=(2, 8, 3, 64, 64))),
    ('tpn tsm r18 on Recognizer2D, fcn_test with flip and num_segs 2', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, pretrained=None, num_segments=4, "
              "out_indices=(2, 3)), neck=dict(type='TPN', in_channels=(256, 512), out_channels=256, "
              "spatial_modulation_cfg=dict(in_channels=(256, 512), out_channels=512), temporal_modulation_cfg=dict(downsample_scales=(4, 4)), "
              "downsample_cfg=dict(downsample_scale=(1, 1, 1)), flow_type='parallel', "
              "level_fusion_cfg=dict(in_channels=(256, 256), mid_channels=(256, 256), out_channels=512)), "
              f"cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, {HEAD0}), "
              "test_cfg=dict(average_clips='score', fcn_test=True, num_segs=2, flip=True))",
        train=(2, 4, 3, 64, 64), test=(1, 8, 3, 64, 64))),
    ('tsm temporal_pool r18', dict(
        model="model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, pretrained=None, "
              "num_segments=8, temporal_pool=True), "
              f"cls_head=dict(type='TSMHead', num_classes=5, in_channels=512, num_segments=8, temporal_pool=True, {HEAD0}), "
              "test_cfg=dict(average_clips='prob'))",
        train=(2, 8, 3, 32, 32), test=(1, 16, 3, 32, 32))),
])
LR = 0.1


def build(text):
    scope = {}
    exec(text, {'dict': dict}, scope)   # this file's own constant model dicts
    return build_model(scope['model'])


def randomize(model, g):
    """Random weights everywhere, BatchNorm affine and running statistics included (so nothing is trivially 1/0)."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.weight.uniform_(0.5, 1.5, generator=g); m.bias.uniform_(-0.2, 0.2, generator=g)
                m.running_mean.uniform_(-0.2, 0.2, generator=g); m.running_var.uniform_(0.5, 1.5, generator=g)
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.Conv3d, torch.nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0, (2.0 / fan_in) ** 0.5, generator=g)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1, generator=g)


def torchvision_resnet(depth, base, g):
    """A 2-D ResNet state dict in torchvision's names (conv1, bn1, layerS.B.convK / bnK, downsample.0/.1, fc)."""
    blocks = {18: [2, 2, 2, 2], 50: [3, 4, 6, 3]}[depth]
    bottleneck = depth >= 50
    sd = collections.OrderedDict()

    def conv(name, o, i, k):
        sd[name + '.weight'] = torch.randn(o, i, k, k, generator=g) * (2.0 / (i * k * k)) ** 0.5

    def bn(name, c):
        sd[name + '.weight'] = torch.rand(c, generator=g) + 0.5
        sd[name + '.bias'] = torch.rand(c, generator=g) * 0.4 - 0.2
        sd[name + '.running_mean'] = torch.rand(c, generator=g) * 0.4 - 0.2
        sd[name + '.running_var'] = torch.rand(c, generator=g) + 0.5
        sd[name + '.num_batches_tracked'] = torch.tensor(100)
    conv('conv1', base, 3, 7); bn('bn1', base)
    cin = base
    for s, n in enumerate(blocks):
        planes = base * 2 ** s
        out = planes * (4 if bottleneck else 1)
        for b in range(n):
            p = f'layer{s + 1}.{b}'
            if bottleneck:
                conv(p + '.conv1', planes, cin, 1); bn(p + '.bn1', planes)
                conv(p + '.conv2', planes, planes, 3); bn(p + '.bn2', planes)
                conv(p + '.conv3', out, planes, 1); bn(p + '.bn3', out)
            else:
                conv(p + '.conv1', planes, cin, 3); bn(p + '.bn1', planes)
                conv(p + '.conv2', planes, planes, 3); bn(p + '.bn2', planes)
            if b == 0 and (s > 0 or cin != out):
                conv(p + '.downsample.0', out, cin, 1); bn(p + '.downsample.1', out)
            cin = out
    sd['fc.weight'] = torch.randn(1000, cin, generator=g) * 0.01
    sd['fc.bias'] = torch.zeros(1000)
    return sd


def run_case(reel, name, case, tmp):
    g = torch.Generator().manual_seed(16)
    text = case['model']
    pretrained = None
    if 'pretrained2d' in case:
        pretrained = os.path.join(tmp, 'r2d.pth')
        torch.save(torchvision_resnet(case['pretrained2d']['depth'], case['pretrained2d']['base'], g), pretrained)
        text = text.replace('PRETRAINED', pretrained)
    torch.manual_seed(0)
    model = build(text)
    if pretrained is None:
        randomize(model, g)
    if 'nl_std' in case:
        # dot_product attention is cubic in its input: with He-scaled θ/φ/g and eval-mode BatchNorms on random
        # statistics, five such blocks overflow float32 (PyTorch's own scores are NaN). Small θ/φ/g weights, as
        # mmcv's NonLocal init draws them (std 0.01), keep the check finite.
        with torch.no_grad():
            for mname, m in model.named_modules():
                if 'non_local_block' in mname and isinstance(m, torch.nn.Conv3d) and 'conv_out' not in mname:
                    m.weight.normal_(0, case['nl_std'], generator=g)
    if 'residual_scale' in case:
        # A full-width 2-D ResNet-50 on random weights grows its activations block after block (|scores| ~1e5, PyTorch's
        # own float32 scores NaN): the last BatchNorm of each residual branch scaled down keeps them O(1).
        with torch.no_grad():
            for mname, m in model.named_modules():
                if mname.endswith('conv3.bn'):
                    m.weight.mul_(case['residual_scale']); m.bias.mul_(case['residual_scale'])
    weights = os.path.join(tmp, 'weights.pth')
    torch.save(model.state_dict(), weights)
    imgs = torch.randn(*case['train'], generator=g)
    test_imgs = torch.randn(*case['test'], generator=g)
    if case.get('multi_label'):
        # Each video a random label set (float multi-hot, as mmaction2's dataset makes it).
        labels = (torch.rand(case['train'][0], model.cls_head.num_classes, generator=g) < 0.4).float()
    else:
        labels = torch.randint(0, model.cls_head.num_classes, (case['train'][0],), generator=g)
    inputs = os.path.join(tmp, 'inputs.pth')
    torch.save({'imgs': imgs, 'test_imgs': test_imgs, 'labels': labels}, inputs)
    cfg = os.path.join(tmp, 'model.py')
    with open(cfg, 'w') as f:
        f.write(text + '\n')
    out = os.path.join(tmp, 'out.pth')
    lr = 0.0 if pretrained else LR
    cmd = [reel, 'inspect', 'model', cfg, '--input', inputs, '--out', out, '--lr', str(lr)]
    if pretrained is None:
        cmd += ['--weights', weights]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    got = torch.load(out, weights_only=True)['state_dict']

    # mmaction2: eval scores, then one train step with plain SGD; and the same in float64, the reference both
    # float32 results are measured against.
    ref = copy.deepcopy(model).double()

    def step(m, dtype):
        m.eval()
        with torch.no_grad():
            if m.test_cfg.get('fcn_test') and m.cls_head.new_cls is None:
                # TPNHead makes its 1×1×1 conv from fc_cls at the first fcn test, in PyTorch's default float32.
                m.cls_head._init_new_cls()
                m.cls_head.new_cls.to(dtype)
            scores = torch.from_numpy(m(test_imgs.to(dtype), return_loss=False))
        m.train()
        target = labels.to(dtype) if case.get('multi_label') else labels.view(-1, 1)
        loss = m(imgs.to(dtype), target, return_loss=True)['loss_cls']
        m.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in m.parameters():
                if p.grad is not None:
                    p -= lr * p.grad
        return scores, loss
    scores, loss = step(model, torch.float32)
    scores64, loss64 = step(ref, torch.float64)
    # TPNHead's fcn-test conv is a copy of fc_cls made at the first test (not a parameter mmaction2 trains).
    sd = {k: v for k, v in model.state_dict().items() if '.new_cls.' not in k}
    sd64 = ref.state_dict()
    missing = [k for k in sd if k not in got]
    if missing:
        raise SystemExit(f'{name}: Reel lacks {missing[:3]}')
    compared = [k for k in sd if pretrained is None or k.startswith('backbone.')]
    d_scores = (scores - got['scores']).abs().max().item() if pretrained is None else float('nan')
    d_loss = abs(loss.item() - got['loss'].item()) if pretrained is None else float('nan')
    # Each float32 result against float64: (Reel, PyTorch).
    e_scores = ((got['scores'].double() - scores64).abs().max().item(), (scores.double() - scores64).abs().max().item())
    e_loss = (abs(got['loss'].item() - loss64.item()), abs(loss.item() - loss64.item()))
    before = torch.load(weights, weights_only=True) if pretrained is None else None

    def worst(keys, relative_to_update):
        # The largest difference, absolute and relative to the largest change the step made in that tensor (params)
        # or to the largest value (statistics), with the tensor's name; then Reel's and PyTorch's own float32 errors
        # against float64 in that tensor.
        rows = []
        for k in keys:
            d = (sd[k] - got[k]).abs().max().item()
            scale = (sd[k] - before[k]).abs().max().item() if relative_to_update and before is not None else sd[k].abs().max().item()
            rows.append((d, d / max(scale, 1e-30), k))
        if not rows:
            return (0.0, 0.0, '-', 0.0, 0.0)
        d, r, k = max(rows)
        return (d, r, k, (got[k].double() - sd64[k]).abs().max().item(), (sd[k].double() - sd64[k]).abs().max().item())
    wp = worst([k for k in compared if sd[k].is_floating_point() and 'running' not in k], True)
    ws = worst([k for k in compared if 'running' in k], False)
    d_param, d_stat = wp[0], ws[0]
    d_count = max([(sd[k] - got[k]).abs().max().item() for k in compared if k.endswith("num_batches_tracked")] + [0])
    print(f'{name}: scores {d_scores:.2e}, loss {d_loss:.2e} ({loss.item():.4f}), params after SGD {d_param:.2e}, '
          f'BN running stats {d_stat:.2e}, num_batches_tracked {d_count:.0f}  [{len(compared)} tensors]')
    if pretrained is None:
        print(f'    vs float64: scores Reel {e_scores[0]:.2e}, PyTorch {e_scores[1]:.2e} (max |score| {scores.abs().max().item():.3g}); '
              f'loss Reel {e_loss[0]:.2e}, PyTorch {e_loss[1]:.2e}')
    print(f'    worst parameter {wp[2]}: {wp[0]:.2e} ({wp[1]:.1e} of its update; vs float64: Reel {wp[3]:.2e}, PyTorch {wp[4]:.2e})')
    print(f'    worst statistic {ws[2]}: {ws[0]:.2e} ({ws[1]:.1e} of its max; vs float64: Reel {ws[3]:.2e}, PyTorch {ws[4]:.2e})')
    # Tolerance: Reel's float32 result within 4× PyTorch's own float32 error (both against float64) plus 1e-5, or
    # that close to PyTorch's: scores, loss, and the worst parameter and statistic.
    bad = [1 for d, e in ((d_scores, e_scores), (d_loss, e_loss)) if d == d and d > 4 * e[1] + 1e-5 and e[0] > 4 * e[1] + 1e-5]
    bad += [1] if d_count else []
    bad += [w for w in (wp, ws) if w[0] > 4 * w[4] + 1e-5 and w[3] > 4 * w[4] + 1e-5]
    # Where float32 gradients are ill-conditioned (softmax attention, BatchNorm over a few positions) each float32
    # implementation strays from float64 in different tensors: then compare the worst over all parameters, Reel's
    # against PyTorch's, each relative to the tensor's update.
    if pretrained is None and any(isinstance(w, tuple) for w in bad):
        params = [k for k in compared if sd[k].is_floating_point() and 'running' not in k]
        def rel(k, t):
            # Updates below 1e-7 (biases the loss barely moves) would turn float32 noise into huge ratios.
            return (t[k].double() - sd64[k]).abs().max().item() / max((sd[k] - before[k]).abs().max().item(), 1e-7)
        reel_worst, torch_worst = max(rel(k, got) for k in params), max(rel(k, sd) for k in params)
        print(f'    worst over all parameters vs float64, relative to the update: Reel {reel_worst:.1e}, PyTorch {torch_worst:.1e}')
        if reel_worst <= 4 * torch_worst:
            bad = [b for b in bad if not isinstance(b, tuple)]
    return not bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('reel')
    ap.add_argument('--only')
    a = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, case in CASES.items():
            if a.only and a.only not in name:
                continue
            ok &= run_case(os.path.abspath(a.reel), name, case, tmp)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
