"""Gaussian design, labels sign(X w + noise) in {-1, 1} from a sparse truth."""

import numpy as np
from benchopt import BaseDataset


class Dataset(BaseDataset):
    name = "simulated"
    parameters = {"n_samples, n_features": [(100, 300)]}

    def get_data(self):
        rng = np.random.default_rng(0)
        X = rng.standard_normal((self.n_samples, self.n_features))
        w = np.zeros(self.n_features)
        w[:10] = rng.choice([-1.0, 1.0], 10)
        y = np.sign(X @ w + 0.5 * rng.standard_normal(self.n_samples))
        y[y == 0] = 1.0
        return dict(X=X, y=y)
