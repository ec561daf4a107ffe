"""Serving the exported models: SavedModel export (export.py), fresh-process load checks (load_check.py), TF
Serving's models.config (models_config.py), text sampling (sampling.py), and the TF Serving client:

    from tfsheet.serving import RestClient
    RestClient("http://localhost:8501").predict("softmax_regression", {"pixels": images})
"""

from tfsheet.serving.client import (GrpcClient, RestClient, ServerError, ServingConnectionError, ServingError,
                                    ServingRequestError)

__all__ = ["GrpcClient", "RestClient", "ServerError", "ServingConnectionError", "ServingError", "ServingRequestError"]
