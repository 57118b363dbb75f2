"""``hmtl serve``: an HTTP API and a web page over a trained model's predictor.

The app (``app.create_app``) takes the predictor as an argument, so that the tests and other
programs can serve any object with ``predict_texts`` and ``tasks``.
"""
