"""Loader for the Golub leukemia gene-expression data shipped with fastlasso."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_leukemia"]

_DATA_FILE = "leukemia.npz"
_PROBES_FILE = "leukemia_probes.npz"

DESCR = """\
.. _leukemia_dataset:

Golub leukemia gene-expression dataset
--------------------------------------

**Data Set Characteristics:**

:Number of Instances: 72 (47 ALL, 25 AML)
:Number of Attributes: 7129 Affymetrix HuGeneFL probe intensities
:Target: +1.0 = acute myeloid leukemia (AML), -1.0 = acute lymphoblastic
    leukemia (ALL)
:Split: rows 0-37 are Golub's training set (27 ALL then 11 AML), rows 38-71
    the independent test set (20 ALL then 14 AML); see ``split``.

The values are the raw MAS4 "average difference" expression levels, integers
between -28400 and 71369 (about 29 % of them are <= 0). They have not been
log-transformed, clipped, filtered or standardized; the usual preprocessing
(floor at 100, cap at 16000, log, gene filter, standardize) is left to the
user. Probes are in the standard order of the Golub data, beginning with the
AFFX control probes.

:Feature names: ``feature_names`` holds the Affymetrix probe identifiers
    (Golub's "Gene Accession Number" column, e.g. ``AFFX-BioB-5_at``,
    ``M23197_at`` = CD33, ``X95735_at`` = zyxin), all 7129 distinct, and
    ``feature_descriptions`` the matching "Gene Description" column (e.g.
    ``"CD33 CD33 antigen (differentiation antigen)"``; not unique). Column
    ``j`` of ``data`` is the probe ``feature_names[j]``, row ``j + 1`` of
    Golub's tables (for instance column 1881 is ``M27891_at``, cystatin C).

Provenance: copied from the CRAN package SIS 1.5 (GitHub mirror ``cran/SIS``,
commit 97c211f37ec3a8493bc2f55104dc4d2494bb825b, files
``data/leukemia.train.rda`` and ``data/leukemia.test.rda``, whose last
column is the class label). SIS names the Broad Institute cancer datasets
page as its source. fastlasso stores the matrix as int32 in a compressed
``.npz`` (the values are exact integers) and recodes the label from
0 = ALL / 1 = AML to -1 / +1.

The probe names and descriptions (file ``leukemia_probes.npz``) come from
the widely redistributed CSV form of Golub's tables: files
``data_set_ALL_AML_train.csv`` and ``data_set_ALL_AML_independent.csv`` of
the GitHub repository ``tkhan11/Gene-Expression-Classification`` (commit
e6a1d8be4d763c9e4d9d71348abfaabd61a32131), whose first two columns are
"Gene Description" and "Gene Accession Number" and whose other columns are
the 72 samples' values, each followed by its Affymetrix present/absent
"call" column. The order was verified exactly: every one of the 72 rows of
``data`` equals, over all 7129 probes, exactly one sample column of those
files (rows 0-37 are Golub's patients
1-27, 34-38, 28-33, in the files' column order; rows 38-71 are patients 39,
40, 42, 47, 48, 49, 41, 43-46, 70-72, 68, 69, 67, 55, 56, 59, 52, 53, 51,
50, 54, 57, 58, 60, 61, 65, 66, 63, 64, 62), and the files' ``actual.csv``
labels agree with ``target``. So the CSV row of probe ``j`` is column ``j``
of ``data`` for all 72 samples. A second copy
(``jhcui18/Leukemia_classifier``, commit
c1adb976376075b2c5e38407e0f58529e7be8924) has the same probe
identifiers in the same order and the same descriptions except that it drops
the double prime of ``L76702_at`` ("delta or B\" subunit"), which is kept.

Publication: T. R. Golub et al. (1999), "Molecular classification of cancer:
class discovery and class prediction by gene expression monitoring",
Science 286(5439):531-537. Please cite it when you use the data.

License: the data themselves carry no explicit license. They are freely
available from the Broad Institute and widely redistributed; the SIS package
they were taken from is GPL-2.
"""


def load_leukemia(*, return_X_y=False):
    """Load the Golub et al. (1999) leukemia gene-expression data (p >> n).

    72 bone-marrow / blood samples, 7129 gene-expression probes each, two
    classes: acute myeloid leukemia (AML, 25 samples, target ``+1.0``) and
    acute lymphoblastic leukemia (ALL, 47 samples, target ``-1.0``). The data
    ship inside fastlasso; nothing is downloaded.

    Values are the raw MAS4 "average difference" intensities (integers from
    -28400 to 71369), **not** log-transformed, clipped or standardized.

    Source: CRAN package SIS 1.5 (GitHub ``cran/SIS``, commit 97c211f), which
    cites the Broad Institute cancer datasets page. The probe identifiers and
    descriptions come from Golub's tables ``data_set_ALL_AML_train.csv`` /
    ``data_set_ALL_AML_independent.csv`` (GitHub copy
    ``tkhan11/Gene-Expression-Classification``, commit e6a1d8b), whose
    expression values equal ``data`` exactly, probe for probe and sample for
    sample, which fixes the order; see ``DESCR``. Original publication:
    T. R. Golub et al., "Molecular classification of cancer: class discovery
    and class prediction by gene expression monitoring", Science 286(5439):
    531-537, 1999. No explicit license is attached to the data (SIS is
    GPL-2); they are freely available from the Broad Institute.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (72, 7129), float64, Fortran-ordered
            Expression matrix; a fresh array on every call.
        target : ndarray of shape (72,), float64
            ``+1.0`` for AML, ``-1.0`` for ALL.
        target_names : ndarray of shape (2,)
            ``["ALL", "AML"]``: the names of target ``-1.0`` and ``+1.0``.
        feature_names : ndarray of shape (7129,), str
            Affymetrix Hu6800 probe identifier of each column (Golub's
            "Gene Accession Number"), e.g. ``"AFFX-BioB-5_at"`` for column 0
            and ``"X95735_at"`` (zyxin) for column 4846; all distinct.
        feature_descriptions : ndarray of shape (7129,), object
            Golub's "Gene Description" of each column (a str, e.g.
            ``"Zyxin"``); not unique.
        split : ndarray of shape (72,), str
            ``"train"`` for Golub's 38 training samples (rows 0-37),
            ``"test"`` for the 34 independent test samples (rows 38-71).
        DESCR : str
            Full description, provenance and license note.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` of shape (72, 7129) and ``target`` of shape (72,).

    Examples
    --------
    >>> from fastlasso.datasets import load_leukemia
    >>> X, y = load_leukemia(return_X_y=True)
    >>> X.shape, X.flags.f_contiguous, sorted(set(y.tolist()))
    ((72, 7129), True, [-1.0, 1.0])
    >>> bunch = load_leukemia()
    >>> str(bunch.feature_names[0]), str(bunch.feature_names[1833])
    ('AFFX-BioB-5_at', 'M23197_at')
    >>> bunch.feature_descriptions[4846]
    'Zyxin'
    """
    data_dir = resources.files(__package__).joinpath("data")
    with data_dir.joinpath(_DATA_FILE).open("rb") as f, np.load(f) as npz:
        X = np.asfortranarray(npz["X"], dtype=np.float64)
        y = npz["y"].astype(np.float64)
        split = npz["split"]
    if return_X_y:
        return X, y
    with data_dir.joinpath(_PROBES_FILE).open("rb") as f, np.load(f) as npz:
        feature_names = npz["feature_names"]
        # UTF-8 text, one description a line (none contains a newline)
        text = npz["feature_descriptions"].tobytes().decode("utf-8")
    feature_descriptions = np.array(text.split("\n"), dtype=object)
    return Bunch(
        data=X,
        target=y,
        target_names=np.array(["ALL", "AML"]),
        feature_names=feature_names,
        feature_descriptions=feature_descriptions,
        split=split,
        DESCR=DESCR,
    )
