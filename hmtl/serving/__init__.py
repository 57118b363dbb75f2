"""``hmtl serve``: an HTTP API and a web page over a trained model's predictor.

The app (``app.create_app``) takes the predictor as an argument, so that the tests and other
programs can serve any object with ``tasks``, ``tokenize_texts`` and ``predict_documents`` (the
``runner.Predictor`` protocol).
"""
