"""weights_only=True: loading a file never runs code from it."""

import datetime
import io
import os
import pickle
import re

import pytest

from ember.serialization import load
from ember.serialization._legacy import MAGIC_NUMBER, PROTOCOL_VERSION
from ember.serialization._zip import write_archive

SYSTEM = re.escape(f"{os.system.__module__}.{os.system.__name__}")  # posix.system on Linux


class Shell:
    """Pickles as a call of os.system: unpickling it would run the command."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def zip_checkpoint(payload: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    write_archive(buffer, payload, [])
    buffer.seek(0)
    return buffer


def legacy_checkpoint(payload: bytes) -> io.BytesIO:
    header = (MAGIC_NUMBER, PROTOCOL_VERSION, {"protocol_version": PROTOCOL_VERSION,
                                               "little_endian": True})
    parts = [pickle.dumps(x, protocol=2) for x in header]
    return io.BytesIO(b"".join([*parts, payload, pickle.dumps([], protocol=2)]))


@pytest.mark.parametrize("make_file", [zip_checkpoint, legacy_checkpoint, io.BytesIO],
                         ids=["zip", "legacy", "plain pickle"])
def test_a_pickle_that_runs_a_shell_command_is_refused(tmp_path, make_file):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weight": Shell(f"touch {marker}")}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=SYSTEM) as error:
        load(make_file(payload))
    assert "weights_only=False" in str(error.value) and "trust" in str(error.value)
    assert not marker.exists()


def test_other_globals_need_weights_only_false():
    payload = pickle.dumps({"when": datetime.date(2024, 1, 2)}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"datetime\.date"):
        load(zip_checkpoint(payload))
    assert load(zip_checkpoint(payload), weights_only=False) == {"when": datetime.date(2024, 1, 2)}


def test_containers_and_primitives_are_allowed():
    obj = {"set": {1, 2}, "bytes": b"\x00\xff", "bytearray": bytearray(b"ab"), "complex": 1j,
           "nested": [(1, 2.5, None, True, "x")]}
    assert load(zip_checkpoint(pickle.dumps(obj, protocol=2))) == obj


@pytest.mark.parametrize("weights_only", [True, False])
def test_pytorch_globals_beyond_tensors_are_refused_without_importing_torch(weights_only):
    payload = b"\x80\x02ctorch.nn.modules.linear\nLinear\n)R."
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.linear\.Linear"):
        load(zip_checkpoint(payload), weights_only=weights_only)
