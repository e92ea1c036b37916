"""Gaussian design with AR(1)-correlated features and a sparse truth."""

import numpy as np
from benchopt import BaseDataset


class Dataset(BaseDataset):
    name = "simulated"
    parameters = {"n_samples, n_features": [(50, 200)], "rho": [0.5]}

    def get_data(self):
        rng = np.random.default_rng(0)
        n, p = self.n_samples, self.n_features
        X = rng.standard_normal((n, p))
        for j in range(1, p):
            X[:, j] = self.rho * X[:, j - 1] + np.sqrt(1 - self.rho**2) * X[:, j]
        w = np.zeros(p)
        w[:10] = rng.choice([-1.0, 1.0], 10)
        y = X @ w + 0.5 * rng.standard_normal(n)
        return dict(X=X, y=y)
