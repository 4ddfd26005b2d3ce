"""The static site's lab viewer: one self-contained file with the saved runs' numbers inlined."""
import base64
import json
import re

import numpy as np

from gan_course import lab, site_viewer, widgets


def test_viewer_is_self_contained_and_holds_every_default_run(tmp_path):
    store = widgets.LabStore.load()
    path = site_viewer.write(tmp_path, store)
    html = path.read_text()
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html) and "https://" not in html, "a remote reference"
    data = json.loads(html.split("const DATA = ", 1)[1].split(";\nconst CMAP", 1)[0])
    assert len(data["runs"]) == len(lab.DATASETS) * len(lab.LOSS_NAMES)
    # the inlined field decodes to the saved field, scaled as the notebook view scales it
    run, page = store.default_run("grid25", "wgan-gp"), data["runs"]["grid25|wgan-gp"]
    f, lo, hi, _ = widgets.display_field(run["field"][-1], "wgan-gp")
    idx = np.frombuffer(base64.b64decode(page["snaps"][-1]["field"]), np.uint8).reshape(f.shape)
    assert np.abs(idx / 255 * (hi - lo) + lo - np.clip(f, lo, hi)).max() <= (hi - lo) / 255
    x = np.array(page["snaps"][-1]["x"]).reshape(-1, 2)
    assert np.abs(x - run["samples"][-1].astype(np.float32)).max() <= 0.0051
    assert page["snaps"][-1]["modes"] == int(run["stats"][-1][0]) and page["snaps"][-1]["step"] == int(run["steps"][-1])
    assert path.stat().st_size < 3e6
