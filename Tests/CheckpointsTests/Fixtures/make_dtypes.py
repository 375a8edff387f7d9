# Writes dtypes.pth with real PyTorch: one tensor of each storage dtype (values that exercise
# rounding, wrapping and sign), a strided view of a float16 tensor sharing its storage, and an
# int32 scalar. DTypeFixtureTests loads it and checks dtypes, values and a round trip.
import torch
h = torch.tensor([[1.1, -2.5, 65504.0], [6e-8, float('inf'), -0.0]], dtype=torch.float16)
out = {
    'f16': h,
    'f16_col': h[:, 1],
    'bf16': torch.tensor([1.1, 3.14159, -1e30, 0.5], dtype=torch.bfloat16),
    'i32': torch.tensor([-2147483648, 2147483647, 7], dtype=torch.int32),
    'i16': torch.tensor([-32768, 300], dtype=torch.int16),
    'i8': torch.tensor([-128, 127, -1], dtype=torch.int8),
    'u8': torch.tensor([0, 255, 128], dtype=torch.uint8),
    'i32_scalar': torch.tensor(-5, dtype=torch.int32),
}
torch.save(out, 'dtypes.pth')
for k, v in out.items():
    print(k, v.dtype, v.shape, v.stride(), v.storage_offset(), v.flatten().view(torch.uint8 if v.element_size() == 1 else {2: torch.int16, 4: torch.int32}[v.element_size()]).tolist() if v.is_contiguous() else '')
