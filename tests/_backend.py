"""TEMPORARY development switch: FASTLASSO_TEST_BACKEND=sklearn runs the suite against
scikit-learn itself. Replaced by direct fastlasso imports once fastlasso exists."""
import os

if os.environ.get("FASTLASSO_TEST_BACKEND") == "sklearn":
    from sklearn.linear_model import ElasticNet, Lasso, enet_path, lasso_path  # noqa
    BACKEND = "sklearn"
else:
    from fastlasso import ElasticNet, Lasso, enet_path, lasso_path  # noqa
    BACKEND = "fastlasso"
