"""What goes to disk: atomic writes, output-folder checks, read errors that name the file, the lab's format."""
import json
import os

import numpy as np
import pytest
import torch

from gan_course import store


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    p = tmp_path / "r.json"
    store.write_json(p, {"a": 1})
    with pytest.raises(TypeError):
        store.write_json(p, {"a": object()})  # json.dump fails halfway through
    assert json.loads(p.read_text()) == {"a": 1}
    assert sorted(os.listdir(tmp_path)) == ["r.json"]  # no temporary file left behind
    store.save_npy(tmp_path / "x.npy", np.arange(3.0))
    store.save_npz(tmp_path / "x.npz", a=np.arange(2))
    store.save_torch(tmp_path / "x.pt", {"w": torch.ones(2)})
    assert np.load(tmp_path / "x.npy").tolist() == [0, 1, 2] and np.load(tmp_path / "x.npz")["a"].tolist() == [0, 1]
    assert torch.equal(torch.load(tmp_path / "x.pt", weights_only=True)["w"], torch.ones(2))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(p).st_mode & 0o777 == 0o666 & ~umask  # the usual permissions, not mkstemp's 0600


def test_guard_output(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        store.guard_output(f / "sub")
    assert store.guard_output(tmp_path / "new" / "deep").is_dir()
    with pytest.raises(ValueError, match="shipped assets.*--overwrite-assets"):
        store.guard_output(store.LAB_ASSETS)
    with pytest.raises(ValueError, match="shipped assets"):
        store.guard_output(store.ASSETS / "images")
    assert store.assets_path(store.ASSETS / "lab" / "x") and not store.assets_path(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_guard_output_unwritable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    with pytest.raises(ValueError, match="cannot write"):
        store.guard_output(ro / "x")


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_damaged_files_name_themselves_and_the_remaking_command(tmp_path):
    j = tmp_path / "results.json"
    store.write_json(j, {"results": []})
    _truncate(j)
    with pytest.raises(store.AssetError, match=r"results\.json is damaged.*lab precompute"):
        store.load_results(tmp_path)
    z = tmp_path / "grid.npz"
    store.save_npz(z, samples=np.zeros((4, 100)))
    _truncate(z)
    with pytest.raises(store.AssetError, match=r"grid\.npz is damaged.*remake it with `cmd`"):
        store.load_npz(z, "cmd")
    t = tmp_path / "w.pt"
    store.save_torch(t, {"w": torch.zeros(1000)})
    _truncate(t)
    with pytest.raises(store.AssetError, match=r"w\.pt is damaged.*remake it with `cmd`"):
        store.load_torch(t, "cmd")
    with pytest.raises(store.AssetError, match=r"nope\.json is missing; make it with `cmd`"):
        store.read_json(tmp_path / "nope.json", "cmd")


def test_lab_store_of_a_damaged_grid_names_the_file(tmp_path):
    for name in ("grid.json", "grid.npz"):
        (tmp_path / name).write_bytes((store.LAB_ASSETS / name).read_bytes())
    _truncate(tmp_path / "grid.npz")
    with pytest.raises(store.AssetError, match=r"grid\.npz is damaged.*lab precompute"):
        store.LabStore.load(tmp_path)


def test_shipped_grid_loads_with_a_default_run_per_loss_and_dataset():
    s = store.LabStore.load()
    assert len(s.defaults) == 12 and all(s.default_run(*k) is not None for k in s.defaults)


def test_run_folder_refuses_another_setting(tmp_path):
    a = store.run_description("ring8", "wgan-gp", 100, {"lr_d": 1e-3, "seed": 0}, 64, 3, 256)
    assert store.claim_run_folder(tmp_path, a) == []
    store.write_seed(tmp_path, 0, np.zeros((5, 2)), {"seed": 0})
    b = store.run_description("ring8", "wgan-gp", 100, {"lr_d": 1e-3, "seed": 7}, 64, 3, 256)
    assert store.claim_run_folder(tmp_path, b) == [0]  # another seed of the same setting
    c = store.run_description("ring8", "wgan-gp", 100, {"lr_d": 2e-3, "seed": 0}, 64, 3, 256)
    with pytest.raises(ValueError, match=r"another setting \(differs in setting\.lr_d\).*--mix-settings"):
        store.claim_run_folder(tmp_path, c)
    store.claim_run_folder(tmp_path, c, allow_mixed=True)
    assert json.loads((tmp_path / "run.json").read_text())["mixed"] is True
    d = tmp_path / "unknown"
    (d / "seed_3").mkdir(parents=True)
    with pytest.raises(ValueError, match="unknown settings"):
        store.claim_run_folder(d, a)


def test_paper_penalty_script_changes_only_lambda_and_loads(tmp_path):
    """scripts/paper_penalty.py for 4 steps: its file loads with ``store.load_paper_penalty``, the recipe is the
    lab's WGAN-GP default with lambda = 10 and nothing else changed, and the final row is the last snapshot."""
    import importlib.util
    from dataclasses import replace

    from gan_course import lab

    spec = importlib.util.spec_from_file_location("paper_penalty", store.ROOT / "scripts" / "paper_penalty.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(["--dataset", "ring8", "--seeds", "3", "5", "--steps", "4", "--out", str(tmp_path)])
    runs, headers = store.load_paper_penalty(tmp_path)
    assert list(runs) == ["ring8"] and [r["seed"] for r in runs["ring8"]] == [3, 5]
    assert headers["ring8"]["penalty_weight"] == 10.0 and headers["ring8"]["steps"] == 4
    for r in runs["ring8"]:
        expected = replace(lab.make_setting("wgan-gp", r["seed"]), penalty_weight=10.0).as_dict()
        assert r["setting"] == json.loads(json.dumps(expected)) and r["step"] == 4 and r["n_modes"] == 8
    with pytest.raises(store.AssetError, match="paper_penalty.py"):
        store.load_paper_penalty(tmp_path / "empty")
