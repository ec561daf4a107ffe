"""Reader for the IDX format of the MNIST release, with every check a damaged file could fail.

IDX layout (big-endian): 2 zero bytes, a type byte (0x08 = uint8), a byte giving the number of
dimensions k, k int32 sizes, then prod(sizes) data bytes, row-major. MNIST's files are gzipped.
"""

import gzip
import struct
import zlib

import numpy as np

from tfsheet.errors import DataError

UINT8_TYPE_CODE = 0x08


def read_idx(path, expected_shape=None):
    """Read a gzipped IDX file of uint8 values into a numpy array.

    Args:
        path: a pathlib.Path to the `.gz` file.
        expected_shape: the shape the file must have (a tuple), or None to accept any.

    Raises:
        DataError: naming the file, what is wrong with it, and how to get a good copy.
    """
    fix = "Replace it with an intact copy of the original MNIST file (or unset TFSHEET_DATA_DIR to use TFDS)."
    if not path.is_file():
        raise DataError(f"MNIST file not found: {path}. Put the four MNIST IDX .gz files in "
                        f"{path.parent}, point TFSHEET_DATA_DIR at the folder holding mnist/, "
                        "or unset TFSHEET_DATA_DIR to let TFDS download MNIST.")
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path} is not a readable gzip file ({error}). {fix}") from None

    if len(raw) < 4:
        raise DataError(f"{path} is {len(raw)} bytes long after decompression, too short for an IDX header. {fix}")
    zero, type_code, num_dims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code != UINT8_TYPE_CODE or num_dims == 0:
        magic = struct.unpack(">I", raw[:4])[0]
        raise DataError(f"{path} has magic number {magic:#010x}, which is not an IDX file of uint8 "
                        f"values (expected 0x00000801 for labels or 0x00000803 for images). {fix}")
    header_size = 4 + 4 * num_dims
    if len(raw) < header_size:
        raise DataError(f"{path} ends inside its header ({len(raw)} of {header_size} bytes). {fix}")
    shape = struct.unpack(f">{num_dims}I", raw[4:header_size])
    if expected_shape is not None and tuple(shape) != tuple(expected_shape):
        raise DataError(f"{path} holds an array of shape {tuple(shape)}, expected {tuple(expected_shape)}. {fix}")
    data_size = int(np.prod(shape))
    if len(raw) != header_size + data_size:
        state = "truncated" if len(raw) < header_size + data_size else "longer than its header says"
        raise DataError(f"{path} is {state}: {len(raw) - header_size} data bytes for shape "
                        f"{tuple(shape)}, which needs {data_size}. {fix}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)
