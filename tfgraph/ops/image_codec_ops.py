"""Image encoding and the remaining decoders: EncodePng (written here with zlib, the
bytes TF's libpng writes: its filter choice, zlib settings, window header, zlib's
stored-block layout at compression 0 (except for rows over 32 KB), 8 KB IDAT chunks),
EncodeJpeg / EncodeJpegVariableQuality (Pillow), ExtractJpegShape (the JPEG header read
here), DecodeBmp, DecodeGif (every frame), DecodeImage and DecodeAndCropJpeg (Pillow),
and the `tf.image` / `tf.io` functions over them (is_jpeg, adjust_jpeg_quality,
random_jpeg_quality).

Formats are told apart by their first bytes, as TF's decoders do: DecodePng, DecodeJpeg
and DecodeGif read PNG, JPEG and GIF alike, DecodeBmp only BMP, DecodeImage all.
Without Pillow the JPEG encoders and Pillow-backed decoders raise UnimplementedError
naming the `images` extra (as the PNG/JPEG decoders do); EncodePng, ExtractJpegShape
and is_jpeg need nothing.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import math_ops, string_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.image_ops import _UNKNOWN_FORMAT, _pillow, _to_channels
from tfgraph.ops.jxl_ops import is_jxl, jxl_image

__all__ = [
    "adjust_jpeg_quality",
    "decode_and_crop_jpeg",
    "decode_bmp",
    "decode_gif",
    "decode_image",
    "decode_webp",
    "encode_jpeg",
    "encode_png",
    "extract_jpeg_shape",
    "is_jpeg",
    "random_jpeg_quality",
]


_JPEG_FAILED = "jpeg::Uncompress failed. Invalid JPEG data or crop window."


def _dbg(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _bytes(contents) -> bytes:
    data = contents[()] if isinstance(contents, np.ndarray) else contents
    return bytes(data)


def sniff(data: bytes) -> str | None:
    """The format TF's decoders see in `data`'s first bytes."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:4] == b"\x89PNG":
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if is_jxl(data):
        return "jxl"
    return None


# -- PNG encoding (zlib) ----------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _filter_rows(raw: np.ndarray, bpp: int) -> tuple[bytes, bool]:
    """Each row of `raw` ([h, row bytes] uint8) prefixed by its PNG filter, chosen as
    libpng chooses: the smallest sum of |byte| (as signed) over None, Sub, Up, Average,
    Paeth, the first on ties; one-row images skip the filters that look up, one-column
    images those that look left. Also whether any filter but None was allowed."""
    h, n = raw.shape
    x = raw.astype(np.int16)
    left = np.zeros_like(x)
    left[:, bpp:] = x[:, :-bpp]
    up = np.zeros_like(x)
    up[1:] = x[:-1]
    up_left = np.zeros_like(x)
    up_left[1:, bpp:] = x[:-1, :-bpp]
    p = left + up - up_left
    pa, pb, pc = np.abs(p - left), np.abs(p - up), np.abs(p - up_left)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, up_left))
    candidates = np.stack([x, x - left, x - up, x - (left + up) // 2, x - paeth]).astype(
        np.uint8
    )  # [5, h, row]
    allowed = np.ones(5, bool)
    if h == 1:
        allowed[[2, 3, 4]] = False
    if n == bpp:
        allowed[[1, 3, 4]] = False
    cost = np.abs(candidates.astype(np.int8).astype(np.int64)).sum(axis=2)
    cost[~allowed] = np.iinfo(np.int64).max
    best = cost.argmin(axis=0)
    rows = candidates[best, np.arange(h)]
    body = np.concatenate([best.astype(np.uint8)[:, None], rows], axis=1).tobytes()
    return body, bool(allowed[1:].any())


def _stored_blocks(body: bytes, row: int) -> bytes:
    """zlib's level-0 stream as libpng produces it, feeding one row per deflate call:
    zlib emits a stored block whenever 32 KB or more wait in its 64 KB window, and the
    rest as the final block."""
    window, w_size, most = 65536, 32768, 65535
    start = block = 0  # (zlib's strstart and block_start)
    lengths = []
    for offset in range(0, len(body), row):
        avail = min(row, len(body) - offset)
        while avail:
            room = window - start
            if avail > room and block >= w_size:
                block, start, room = block - w_size, start - w_size, room + w_size
            take = min(room, avail)
            start, avail = start + take, avail - take
            if start - block >= w_size:
                lengths.append(min(start - block, most))
                block += lengths[-1]
    left = start - block
    while left > most:
        lengths.append(most)
        left -= most
    lengths.append(left)
    out = bytearray(b"\x78\x01")
    pos = 0
    for i, n in enumerate(lengths):
        out += struct.pack("<BHH", i == len(lengths) - 1, n, n ^ 0xFFFF) + body[pos : pos + n]
        pos += n
    return bytes(out + struct.pack(">I", zlib.adler32(body)))


def _deflate(body: bytes, level: int, filtered: bool, row: int) -> bytes:
    """zlib data as libpng writes it: Z_FILTERED when rows are filtered, and for small
    images a zlib header claiming the smallest window that holds them."""
    strategy = zlib.Z_FILTERED if filtered else zlib.Z_DEFAULT_STRATEGY
    if level == 0 and len(body) > 16384 and row <= 32768:
        data = bytearray(_stored_blocks(body, row))
    else:
        packer = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
        data = bytearray(packer.compress(body) + packer.flush())
    size = len(body)
    if size <= 16384 and (data[0] & 0x0F) == 8 and (data[0] & 0xF0) <= 0x70:
        cinfo = data[0] >> 4
        half = 1 << (cinfo + 7)
        if size <= half:
            while True:
                half >>= 1
                cinfo -= 1
                if not (cinfo > 0 and size <= half):
                    break
            data[0] = (data[0] & 0x0F) | (cinfo << 4)
            check = data[1] & 0xE0
            data[1] = check + 0x1F - ((data[0] << 8) + check) % 0x1F
    return bytes(data)


def png_bytes(image: np.ndarray, level: int) -> bytes:
    """`image` ([h, w, c] uint8 or uint16, c in 1..4) as a PNG file, byte for byte as
    TF's libpng writes it (filters, zlib stream and header, 8 KB IDAT chunks)."""
    h, w, c = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = np.ascontiguousarray(image.astype(">u2") if depth == 16 else image)
    raw = raw.view(np.uint8).reshape(h, w * c * depth // 8)
    body, filtered = _filter_rows(raw, c * depth // 8)
    data = _deflate(body, level, filtered, raw.shape[1] + 1)
    header = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0)
    idat = b"".join(_chunk(b"IDAT", data[i : i + 8192]) for i in range(0, len(data), 8192))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + idat + _chunk(b"IEND", b"")


def _encode_png_kernel(op, ctx):
    level = int(op._attrs["compression"])

    def kernel(image):
        image = np.asarray(image)
        if not -1 <= level <= 9:
            raise errors.InvalidArgumentError(
                None, op, f"compression should be in [-1,9], got {level}"
            )
        if image.ndim < 3:
            raise errors.InvalidArgumentError(
                None, op, f"images must be at least rank 3{_dbg(image.shape)}"
            )
        if image.shape[-1] not in (1, 2, 3, 4):
            raise errors.InvalidArgumentError(
                None, op, f"image must have 1, 2, 3, or 4 channels, got {image.shape[-1]}"
            )
        if 0 in image.shape[-3:]:
            raise errors.InvalidArgumentError(None, op, "image must not be empty")
        flat = image.reshape((-1,) + image.shape[-3:])
        out = np.empty(len(flat), object)
        for i, one in enumerate(flat):
            out[i] = png_bytes(one, level)
        return out.reshape(image.shape[:-3])

    return kernel


def _encode_png_shape(op):
    shape = op._inputs[0]._shape.with_rank_at_least(3)
    if shape._dims is None:
        return [TensorShape(None)]
    return [TensorShape(shape._dims[:-3])]


register_op(
    "EncodePng",
    inputs=["image: T"],
    outputs=["contents: string"],
    attrs=["compression: int = -1", "T: {uint8, uint16} = uint8"],
    shape=_encode_png_shape,
    make_kernel=_encode_png_kernel,
)


def encode_png(image, compression=-1, name=None):
    """PNG-encodes `image` ([..., h, w, c] uint8/uint16, c in 1..4): a string tensor of
    the batch shape. `compression` is zlib's level (-1: its default)."""
    return op_output(
        "EncodePng", name, [convert_to_tensor(image)], {"compression": int(compression)}
    )


def _unfilter(kind: int, row: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """One PNG row with its filter undone (uint8 arrays; `prev` the row above)."""
    if kind == 0:
        return row
    if kind == 2:
        return row + prev
    if kind == 1:
        lanes = row.reshape(-1, bpp).astype(np.int64)
        return (np.cumsum(lanes, axis=0) % 256).astype(np.uint8).reshape(-1)
    out = np.zeros(len(row) + bpp, np.int32)
    above = np.concatenate([np.zeros(bpp, np.int32), prev.astype(np.int32)])
    x = row.astype(np.int32)
    for i in range(0, len(row), bpp):
        a, b, c = out[i : i + bpp], above[i + bpp : i + 2 * bpp], above[i : i + bpp]
        if kind == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
            pred = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        out[i + bpp : i + 2 * bpp] = (x[i : i + bpp] + pred) % 256
    return out[bpp:].astype(np.uint8)


def png_pixels(data: bytes) -> np.ndarray | None:
    """A 16-bit, non-interlaced, non-palette PNG's pixels ([h, w, c] uint16), read here
    (Pillow reads 16-bit colour PNGs as 8-bit); None for any other PNG."""
    pos, chunks, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"tRNS":
            return None
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        return None
    w, h, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 16 or channels is None or interlace:
        return None
    try:
        raw = np.frombuffer(zlib.decompress(b"".join(chunks)), np.uint8)
    except zlib.error:
        return None
    stride = w * channels * 2
    if raw.size < h * (stride + 1):
        return None
    rows = raw[: h * (stride + 1)].reshape(h, stride + 1)
    out = np.empty((h, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(h):
        prev = out[y] = _unfilter(int(rows[y, 0]), rows[y, 1:], prev, channels * 2)
    return out.view(">u2").astype(np.uint16).reshape(h, w, channels)


# -- JPEG header and encoding -----------------------------------------------------------------

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_shape(data: bytes) -> tuple[int, int, int] | None:
    """(height, width, components) from a JPEG's frame header, or None."""
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01,) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            if pos + 10 > len(data):
                return None
            h, w = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return h, w, data[pos + 9]
        if marker == 0xDA:
            return None
        pos += 2 + length
    return None


def _jpeg_shape_kernel(op, ctx):
    dtype = op._attrs["output_type"].as_numpy_dtype

    def kernel(contents):
        data = _bytes(contents)
        shape = jpeg_shape(data)
        if shape is None:
            raise errors.InvalidArgumentError(None, op, f"Invalid JPEG data, size {len(data)}")
        return np.array(shape, dtype)

    return kernel


register_op(
    "ExtractJpegShape",
    inputs=["contents: string"],
    outputs=["image_shape: output_type"],
    attrs=["output_type: {int32, int64} = int32"],
    shape=lambda op: [TensorShape([3])],
    make_kernel=_jpeg_shape_kernel,
)


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None):
    """[height, width, channels] of a JPEG, read from its header (no decoding)."""
    return op_output(
        "ExtractJpegShape", name, [contents], {"output_type": dtypes.as_dtype(output_type)}
    )


def is_jpeg(contents, name=None):
    """True where `contents` starts with JPEG's magic bytes (as TF: a Substr and Equal)."""
    with get_default_graph().name_scope(name or "is_jpeg"):
        substr = string_ops.substr(contents, 0, 3)
        return math_ops.equal(substr, b"\xff\xd8\xff", name=name)


def _jpeg_bytes(op, image_module, image: np.ndarray, quality: int, attrs: dict) -> bytes:
    fmt = attrs.get("format", b"").decode()
    channels = image.shape[2]
    want = {"grayscale": 1, "rgb": 3}.get(fmt)
    if want is not None and channels != want:
        raise errors.InvalidArgumentError(
            None, op, f"format {fmt} expects {want} channels, got {_dbg(image.shape)}"
        )
    if 0 in image.shape:
        raise errors.InternalError(None, op, "JPEG encoding failed")
    pil = image_module.fromarray(image[:, :, 0] if channels == 1 else image)
    unit = {"in": 1, "cm": 2}.get(attrs.get("density_unit", b"in").decode(), 1)
    kwargs = {
        "quality": quality,
        "progressive": bool(attrs.get("progressive", False)),
        "optimize": bool(attrs.get("optimize_size", False)),
        "subsampling": 2 if attrs.get("chroma_downsampling", True) and channels == 3 else 0,
        "dpi": (int(attrs.get("x_density", 300)), int(attrs.get("y_density", 300))),
    }
    xmp = attrs.get("xmp_metadata", b"")
    if xmp:
        kwargs["xmp"] = xmp
    out = io.BytesIO()
    pil.save(out, "JPEG", **kwargs)
    data = out.getvalue()
    if unit == 2:  # (Pillow writes dots per inch; patch the JFIF unit byte)
        data = data[:13] + b"\x02" + data[14:] if data[6:11] == b"JFIF\x00" else data
    return data


def _check_jpeg_image(op, image) -> None:
    if image.ndim != 3:
        raise errors.InvalidArgumentError(
            None, op, f"image must be 3-dimensional{_dbg(image.shape)}"
        )
    if image.shape[2] not in (1, 3):
        raise errors.InvalidArgumentError(
            None, op, f"image must have 1 or 3 channels, got {_dbg(image.shape)}"
        )


def _quality(op, quality) -> int:
    quality = int(quality)
    if not 0 <= quality <= 100:
        raise errors.InvalidArgumentError(None, op, f"quality must be in [0,100], got {quality}")
    return quality


def _encode_jpeg_kernel(op, ctx):
    image_module = _pillow(op)
    attrs = dict(op._attrs)

    def kernel(image):
        image = np.asarray(image)
        quality = _quality(op, attrs["quality"])
        _check_jpeg_image(op, image)
        return np.array(_jpeg_bytes(op, image_module, image, quality, attrs), object)

    return kernel


def _encode_jpeg_vq_kernel(op, ctx):
    image_module = _pillow(op)

    def kernel(images, quality):
        images = np.asarray(images)
        quality = _quality(op, np.asarray(quality))
        _check_jpeg_image(op, images)
        return np.array(_jpeg_bytes(op, image_module, images, quality, {}), object)

    return kernel


register_op(
    "EncodeJpeg",
    inputs=["image: uint8"],
    outputs=["contents: string"],
    attrs=[
        "format: {'', 'grayscale', 'rgb'} = ''",
        "quality: int = 95",
        "progressive: bool = false",
        "optimize_size: bool = false",
        "chroma_downsampling: bool = true",
        "density_unit: {'in', 'cm'} = 'in'",
        "x_density: int = 300",
        "y_density: int = 300",
        "xmp_metadata: string = ''",
    ],
    shape=lambda op: [TensorShape([])],
    make_kernel=_encode_jpeg_kernel,
)
register_op(
    "EncodeJpegVariableQuality",
    inputs=["images: uint8", "quality: int32"],
    outputs=["contents: string"],
    shape=lambda op: [TensorShape([])],
    make_kernel=_encode_jpeg_vq_kernel,
)


def _s(value) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def encode_jpeg(
    image,
    format="",
    quality=95,
    progressive=False,
    optimize_size=False,
    chroma_downsampling=True,
    density_unit="in",
    x_density=300,
    y_density=300,
    xmp_metadata="",
    name=None,
):
    """JPEG-encodes a [h, w, 1 or 3] uint8 image (through Pillow's libjpeg)."""
    return op_output(
        "EncodeJpeg",
        name,
        [image],
        {
            "format": _s(format),
            "quality": int(quality),
            "progressive": bool(progressive),
            "optimize_size": bool(optimize_size),
            "chroma_downsampling": bool(chroma_downsampling),
            "density_unit": _s(density_unit),
            "x_density": int(x_density),
            "y_density": int(y_density),
            "xmp_metadata": _s(xmp_metadata),
        },
    )


# -- decoders ---------------------------------------------------------------------------------


def _wrong_op(op, fmt: str) -> errors.InvalidArgumentError:
    if op._type == "DecodeBmp":
        return errors.InvalidArgumentError(
            None,
            op,
            f"Trying to decode {fmt.upper()} format using DecodeBmp op. Use `decode_{fmt}` "
            "or `decode_image` instead.",
        )
    return errors.InvalidArgumentError(
        None,
        op,
        f"Trying to decode {fmt.upper()} format using a wrong op. Use `decode_{fmt}` or "
        f"`decode_image` instead. Op used: {op._type}",
    )


def bmp_pixels(op, data: bytes) -> np.ndarray:
    """An uncompressed BMP's pixels as stored: [h, w, bpp / 8] (RGB(A) order), as TF's
    decoder reads them (a 32-bit file keeps its fourth byte)."""
    if len(data) < 30:
        raise errors.InvalidArgumentError(
            None, op, "Incomplete bmp content, requires at least 54 bytes"
        )
    offset, _, width, height, _, bpp = struct.unpack("<IIiiHH", data[10:30])
    channels = bpp // 8
    if channels not in (1, 3, 4):
        raise errors.InvalidArgumentError(
            None, op, f"Number of channels inherent in the image must be 1, 3 or 4, was {channels}"
        )
    rows, stride = abs(height), (width * channels + 3) // 4 * 4
    raw = np.frombuffer(data, np.uint8, rows * stride, offset).reshape(rows, stride)
    pixels = raw[:, : width * channels].reshape(rows, width, channels)
    if height > 0:
        pixels = pixels[::-1]
    if channels >= 3:
        pixels = np.concatenate([pixels[:, :, 2::-1], pixels[:, :, 3:]], axis=2)
    return np.ascontiguousarray(pixels)


def _frames(op, image_module, data: bytes, all_frames: bool, jpeg_gray: bool = False) -> list:
    """The decoded frames of `data` as [h, w, c] arrays (uint8 or uint16)."""
    try:
        img = image_module.open(io.BytesIO(data))
        if jpeg_gray:
            img.draft("L", img.size)  # (libjpeg's own grayscale output, as TF's decoder)
        img.load()
    except Exception:
        if sniff(data) == "jpeg":  # (a JPEG libjpeg could not read through)
            raise errors.InvalidArgumentError(None, op, _JPEG_FAILED) from None
        raise errors.InvalidArgumentError(None, op, _UNKNOWN_FORMAT) from None
    count = getattr(img, "n_frames", 1) if all_frames else 1
    out = []
    for k in range(count):
        if k:
            img.seek(k)
        frame = img
        if frame.mode in ("P", "PA") or (img.format == "GIF" and frame.mode != "RGB"):
            frame = frame.convert("RGBA" if "transparency" in frame.info else "RGB")
        elif frame.mode == "1":
            frame = frame.convert("L")
        elif frame.mode not in ("L", "LA", "RGB", "RGBA") and not frame.mode.startswith("I"):
            frame = frame.convert("RGB")
        pixels = np.asarray(frame)
        if frame.mode.startswith("I"):
            pixels = pixels.astype(np.uint16)
        out.append(pixels[:, :, None] if pixels.ndim == 2 else pixels)
    return out


def _as_dtype(pixels: np.ndarray, dtype, png: bool = False) -> np.ndarray:
    if dtype is dtypes.uint16:
        return pixels if pixels.dtype == np.uint16 else pixels.astype(np.uint16) * 257
    if dtype is dtypes.float32:
        # (TF reads PNGs as 16-bit and scales by 1/65535, the others by 1/255, in float32)
        if png or pixels.dtype == np.uint16:
            wide = pixels if pixels.dtype == np.uint16 else pixels.astype(np.uint16) * 257
            return wide.astype(np.float32) * np.float32(1 / 65535)
        return pixels.astype(np.float32) * np.float32(1 / 255)
    return pixels if pixels.dtype == np.uint8 else (pixels >> 8).astype(np.uint8)


def webp_image(op, image_module, data: bytes, channels: int, dtype, frames: bool = True):
    """A WebP as TF's decoders return it, whichever op reads it: uint8 only, 3 or 4
    channels (the file's own), shaped [1, h, w, c] (or [h, w, c] when not `frames`)."""
    if dtype is not dtypes.uint8:
        raise errors.InvalidArgumentError(None, op, "WebP only supports uint8 for dtype")
    if channels not in (0, 3, 4):
        raise errors.InvalidArgumentError(None, op, "WebP only supports 3 or 4 channels")
    try:
        img = image_module.open(io.BytesIO(data))
        img.load()
    except Exception:
        raise errors.InvalidArgumentError(None, op, _UNKNOWN_FORMAT) from None
    have = 4 if "A" in img.mode or "transparency" in img.info else 3
    if channels and channels != have:
        raise errors.InvalidArgumentError(
            None, op, "Number of channels requested does not match input"
        )
    pixels = np.ascontiguousarray(np.asarray(img.convert("RGBA" if have == 4 else "RGB")))
    return pixels[None] if frames else pixels


def _decode_kernel(op, ctx):
    image_module = _pillow(op)
    kind = op._type
    channels = int(op._attrs.get("channels", 0))
    dtype = op._attrs.get("dtype", dtypes.uint8)
    expand = bool(op._attrs.get("expand_animations", True))

    def kernel(contents, crop_window=None):
        data = _bytes(contents)
        fmt = sniff(data)
        if fmt == "jxl":  # (every decoder takes it, as TF's: uncropped, [h, w, c])
            return jxl_image(op, data, 3 if kind == "DecodeGif" else channels, dtype)
        if fmt == "webp":  # (every decoder takes it, as TF's; no crop, [1, h, w, c])
            want = 3 if kind == "DecodeGif" else channels
            return webp_image(op, image_module, data, want, dtype, kind != "DecodeImage" or expand)
        if kind == "DecodeWebP":
            raise errors.InvalidArgumentError(None, op, _UNKNOWN_FORMAT)
        if kind == "DecodeBmp":
            if fmt is not None and fmt != "bmp":
                raise _wrong_op(op, fmt)
            if channels not in (0, 3, 4):
                raise errors.InvalidArgumentError(
                    None, op, f"`channels` must be 0, 3 or 4 for BMP, but got {channels}"
                )
        elif kind == "DecodeAndCropJpeg":
            if fmt != "jpeg":
                name = (fmt or "unknown").upper()
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"DecodeAndCropJpeg operation can run on JPEG only, but detected {name}.",
                )
        elif kind == "DecodeGif" and fmt == "bmp":
            raise _wrong_op(op, fmt)
        if fmt == "bmp":
            frames = [bmp_pixels(op, data)]
        elif fmt == "png" and png_pixels(data) is not None:
            frames = [png_pixels(data)]
        else:
            frames = _frames(
                op,
                image_module,
                data,
                kind == "DecodeGif" or (expand and fmt == "gif"),
                jpeg_gray=fmt == "jpeg" and channels == 1,
            )
        want = 3 if kind == "DecodeGif" else channels
        frames = [
            _as_dtype(_to_channels(f, want, fmt == "png"), dtype, fmt == "png") for f in frames
        ]
        if kind == "DecodeAndCropJpeg":
            return _crop(op, frames[0], crop_window)
        if kind == "DecodeGif" or (kind == "DecodeImage" and expand and fmt == "gif"):
            return np.ascontiguousarray(np.stack(frames))
        return np.ascontiguousarray(frames[0])

    return kernel


def _crop(op, image: np.ndarray, window) -> np.ndarray:
    window = np.asarray(window).reshape(-1)
    if window.shape != (4,):
        raise errors.InvalidArgumentError(
            None, op, f"crop_window must be shape [4], got {_dbg(window.shape)}"
        )
    y, x, h, w = (int(v) for v in window)
    height, width = image.shape[:2]
    if h <= 0 or w <= 0 or y < 0 or x < 0 or y + h > height or x + w > width:
        raise errors.InvalidArgumentError(None, op, _JPEG_FAILED)
    return np.ascontiguousarray(image[y : y + h, x : x + w])


def _channels_shape(op, rank: int):
    channels = int(op._attrs.get("channels", 0)) or None
    if op._type == "DecodeGif":
        channels = 3
    return [TensorShape([None] * (rank - 1) + [channels])]


register_op(
    "DecodeBmp",
    inputs=["contents: string"],
    outputs=["image: uint8"],
    attrs=["channels: int = 0"],
    shape=lambda op: _channels_shape(op, 3),
    make_kernel=_decode_kernel,
)
register_op(
    "DecodeGif",
    inputs=["contents: string"],
    outputs=["image: uint8"],
    shape=lambda op: _channels_shape(op, 4),
    make_kernel=_decode_kernel,
)


def _crop_jpeg_shape(op):
    from tfgraph.ops import common_shapes

    channels = int(op._attrs.get("channels", 0)) or None
    window = common_shapes.constant_value(op._inputs[1])
    if window is None or np.size(window) != 4:
        return [TensorShape([None, None, channels])]
    window = np.asarray(window).reshape(-1)
    return [TensorShape([int(window[2]), int(window[3]), channels])]


register_op(
    "DecodeAndCropJpeg",
    inputs=["contents: string", "crop_window: int32"],
    outputs=["image: uint8"],
    attrs=[
        "channels: int = 0",
        "ratio: int = 1",
        "fancy_upscaling: bool = true",
        "try_recover_truncated: bool = false",
        "acceptable_fraction: float = 1",
        "dct_method: string = ''",
    ],
    shape=_crop_jpeg_shape,
    make_kernel=_decode_kernel,
)


def _decode_image_shape(op):
    if op._attrs["expand_animations"]:
        return [TensorShape(None)]
    return _channels_shape(op, 3)


register_op(
    "DecodeImage",
    inputs=["contents: string"],
    outputs=["image: dtype"],
    attrs=[
        "channels: int = 0",
        "dtype: {uint8, uint16, float} = uint8",
        "expand_animations: bool = true",
    ],
    shape=_decode_image_shape,
    make_kernel=_decode_kernel,
)


register_op(
    "DecodeWebP",
    inputs=["contents: string"],
    outputs=["image: dtype"],
    attrs=["channels: int = 0", "dtype: {uint8} = uint8"],
    shape=lambda op: _channels_shape(op, 4),
    make_kernel=_decode_kernel,
)


def decode_webp(contents, channels=0, dtype=dtypes.uint8, name=None):
    """Decodes a WebP into a uint8 [1, height, width, 3 or 4] (its first frame)."""
    return op_output(
        "DecodeWebP", name, [contents], {"channels": int(channels), "dtype": dtypes.as_dtype(dtype)}
    )


def decode_bmp(contents, channels=0, name=None):
    """Decodes a BMP into a uint8 [height, width, channels] (channels 0, 3 or 4)."""
    return op_output("DecodeBmp", name, [contents], {"channels": int(channels)})


def decode_gif(contents, name=None):
    """Decodes every frame of a GIF (or a PNG/JPEG as one frame): [frames, h, w, 3]."""
    return op_output("DecodeGif", name, [contents])


def decode_and_crop_jpeg(
    contents,
    crop_window,
    channels=0,
    ratio=1,
    fancy_upscaling=True,
    try_recover_truncated=False,
    acceptable_fraction=1,
    dct_method="",
    name=None,
):
    """Decodes the window [y, x, height, width] of a JPEG (uint8 [h, w, channels])."""
    if ratio != 1:
        raise NotImplementedError("decode_and_crop_jpeg: only ratio=1 is supported by tfgraph.")
    return op_output(
        "DecodeAndCropJpeg",
        name,
        [contents, crop_window],
        {
            "channels": int(channels),
            "ratio": 1,
            "fancy_upscaling": bool(fancy_upscaling),
            "try_recover_truncated": bool(try_recover_truncated),
            "acceptable_fraction": float(acceptable_fraction),
            "dct_method": _s(dct_method),
        },
    )


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations=True):
    """Decodes a BMP, GIF, JPEG or PNG (DecodeImage): [h, w, c], or [frames, h, w, c]
    for a GIF when `expand_animations`; uint8, uint16 or float32 (scaled to [0, 1])."""
    with get_default_graph().name_scope(name or "decode_image"):
        return op_output(
            "DecodeImage",
            None,
            [contents],
            {
                "channels": int(channels or 0),
                "dtype": dtypes.as_dtype(dtype),
                "expand_animations": bool(expand_animations),
            },
        )


# -- JPEG quality -----------------------------------------------------------------------------


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None):
    """`image` encoded as a JPEG of `jpeg_quality` and decoded again (TF's graph:
    convert_image_dtype to uint8, EncodeJpegVariableQuality, DecodeJpeg, and back)."""
    from tfgraph.framework.ops import Tensor
    from tfgraph.ops.image_adjust_ops import convert_image_dtype
    from tfgraph.ops.image_ops import decode_jpeg

    with get_default_graph().name_scope(name or "adjust_jpeg_quality"):
        image = convert_to_tensor(image, name="image")
        channels = image.shape.as_list()[-1]
        orig_dtype = image.dtype
        image = convert_image_dtype(image, dtypes.uint8, saturate=True)
        if not isinstance(jpeg_quality, Tensor):
            jpeg_quality = convert_to_tensor(jpeg_quality, dtype=dtypes.int32)
        image = op_output("EncodeJpegVariableQuality", None, [image, jpeg_quality])
        image = decode_jpeg(image, channels=channels, dct_method=dct_method)
        return convert_image_dtype(image, orig_dtype, saturate=True)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """adjust_jpeg_quality with a quality drawn uniformly from [min, max)."""
    from tfgraph.ops.random_ops import random_uniform

    if (
        min_jpeg_quality < 0
        or max_jpeg_quality < 0
        or min_jpeg_quality > 100
        or max_jpeg_quality > 100
    ):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    jpeg_quality = random_uniform(
        [], min_jpeg_quality, max_jpeg_quality, seed=seed, dtype=dtypes.int32
    )
    return adjust_jpeg_quality(image, jpeg_quality)


def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed):
    """TF2's `tf.image.stateless_random_jpeg_quality`: quality from [min, max)."""
    from tfgraph.ops.stateless_random_ops import stateless_uniform

    if (
        min_jpeg_quality < 0
        or max_jpeg_quality < 0
        or min_jpeg_quality > 100
        or max_jpeg_quality > 100
    ):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = stateless_uniform([], seed, min_jpeg_quality, max_jpeg_quality, dtype=dtypes.int32)
    return adjust_jpeg_quality(image, quality)
