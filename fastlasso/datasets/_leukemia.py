"""Loader for the Golub leukemia gene-expression data shipped with fastlasso."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_leukemia"]

_DATA_FILE = "leukemia.npz"

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
AFFX control probes; the source does not carry probe names.

Provenance: copied from the CRAN package SIS 1.5 (GitHub mirror ``cran/SIS``,
commit 97c211f37ec3a8493bc2f55104dc4d2494bb825b, files
``data/leukemia.train.rda`` and ``data/leukemia.test.rda``, whose last
column is the class label). SIS names the Broad Institute cancer datasets
page as its source. fastlasso stores the matrix as int32 in a compressed
``.npz`` (the values are exact integers) and recodes the label from
0 = ALL / 1 = AML to -1 / +1.

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
    cites the Broad Institute cancer datasets page. Original publication:
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
        split : ndarray of shape (72,), str
            ``"train"`` for Golub's 38 training samples (rows 0-37),
            ``"test"`` for the 34 independent test samples (rows 38-71).
        DESCR : str
            Full description, provenance and license note.

        The source carries no probe names, so there is no ``feature_names``.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` of shape (72, 7129) and ``target`` of shape (72,).

    Examples
    --------
    >>> from fastlasso.datasets import load_leukemia
    >>> X, y = load_leukemia(return_X_y=True)
    >>> X.shape, X.flags.f_contiguous, sorted(set(y))
    ((72, 7129), True, [-1.0, 1.0])
    """
    path = resources.files(__package__).joinpath("data", _DATA_FILE)
    with path.open("rb") as f, np.load(f) as npz:
        X = np.asfortranarray(npz["X"], dtype=np.float64)
        y = npz["y"].astype(np.float64)
        split = npz["split"]
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        target_names=np.array(["ALL", "AML"]),
        split=split,
        DESCR=DESCR,
    )
