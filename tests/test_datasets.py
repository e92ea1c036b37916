"""The bundled Golub leukemia data: matrix, labels and Affymetrix probe names."""

import numpy as np
import pytest

from fastlasso.cli import main
from fastlasso.datasets import load_leukemia

# (column, probe id, description, values in rows 0, 1, 37, 38, 71): read off
# Golub's data_set_ALL_AML_{train,independent}.csv, whose sample columns equal
# the rows of the bundled matrix exactly (see the loader's DESCR).
KNOWN_PROBES = [
    (0, "AFFX-BioB-5_at", "AFFX-BioB-5_at (endogenous control)",
     [-214, -139, -135, -342, -176]),
    (1833, "M23197_at", "CD33 CD33 antigen (differentiation antigen)",
     [261, 101, 443, 168, 1605]),
    (1881, "M27891_at", "CST3 Cystatin C (amyloid angiopathy and cerebral hemorrhage)",
     [303, 1358, 3654, -65, 24178]),
    (4846, "X95735_at", "Zyxin", [298, 307, 3482, 178, 7133]),
    (7128, "Z78285_f_at", None, [-37, -14, -10, -70, -60]),
]  # fmt: skip


@pytest.fixture(scope="module")
def leukemia():
    return load_leukemia()


def test_shapes_and_labels(leukemia):
    assert leukemia.data.shape == (72, 7129) and leukemia.data.flags.f_contiguous
    assert leukemia.data.dtype == np.float64
    assert (leukemia.target == 1).sum() == 25 and (leukemia.target == -1).sum() == 47
    assert (leukemia.split == "train").sum() == 38
    X, y = load_leukemia(return_X_y=True)
    np.testing.assert_array_equal(X, leukemia.data)
    np.testing.assert_array_equal(y, leukemia.target)


def test_feature_names(leukemia):
    names = leukemia.feature_names
    assert names.shape == (7129,) and names.dtype.kind == "U"
    assert len(set(names.tolist())) == 7129
    assert all(name.endswith(("_at", "_st")) for name in names)
    assert names[:3].tolist() == ["AFFX-BioB-5_at", "AFFX-BioB-M_at", "AFFX-BioB-3_at"]
    assert not any(name.startswith("gene_") for name in names)
    desc = leukemia.feature_descriptions
    assert desc.shape == (7129,) and all(isinstance(d, str) and d for d in desc)
    assert "Gene Accession Number" in leukemia.DESCR


@pytest.mark.parametrize("j, name, description, values", KNOWN_PROBES)
def test_known_probes(leukemia, j, name, description, values):
    """Known probes sit at their columns, with their expression values."""
    assert leukemia.feature_names[j] == name
    assert int(np.flatnonzero(leukemia.feature_names == name)[0]) == j
    if description is not None:
        assert leukemia.feature_descriptions[j] == description
    np.testing.assert_array_equal(leukemia.data[[0, 1, 37, 38, 71], j], values)


def test_select_prints_probe_names(leukemia, capsys):
    """``fastlasso select`` on the bundled data names the probes."""
    rc = main(["select", "--n-alphas", "10", "--cv", "3", "--top", "5"])
    assert rc == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rank  feature"))
    shown = [line.split()[1] for line in lines[start + 1 : start + 6]]
    assert len(shown) == 5 and "gene_" not in out
    assert set(shown) <= set(leukemia.feature_names.tolist())
