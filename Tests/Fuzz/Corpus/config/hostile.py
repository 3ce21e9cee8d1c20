_base_ = 'base.py'
a = [1, 2] * 3
b = {'k': a, **dict(x=1)}
c = f'{a[0]:>4}-{b["k"]}'
d = [i * 2 for i in range(10) if i % 2]
e = 'x' if len(a) > 3 else 'y'
f = '{{ _base_.total_epochs }}'
optimizer = dict(_delete_=True, type='Adam', lr=1e-3 * 2 ** -1)
data = dict(train=dict(pipeline=[dict(type='SampleFrames', clip_len=(1 + 2) // 3)]))
g = (1, 2.5, -3e-2, 0x1F, 1_000, None, True, not False, 1 < 2 <= 3)
h = data['train']
