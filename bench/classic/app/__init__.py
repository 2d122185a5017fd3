"""The classic tutorial's hello_books app (Flask + Flask-SQLAlchemy + Flask-Migrate), for the
benchmarks. It mirrors the tutorial, connection strings included; the benchmarks always point it
at the workbook's server with the environment variables SQLALCHEMY_DATABASE_URI /
SQLALCHEMY_TEST_DATABASE_URI."""
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app(test_config=None):
    app = Flask(__name__)
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False

    if not test_config:
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
            "SQLALCHEMY_DATABASE_URI",
            "postgresql+psycopg2://postgres:postgres@localhost:5432/hello_books_development")
    else:
        app.config["TESTING"] = True
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
            "SQLALCHEMY_TEST_DATABASE_URI",
            "postgresql+psycopg2://postgres:postgres@localhost:5432/hello_books_test")

    db.init_app(app)
    migrate.init_app(app, db)

    from app.models.book import Book  # noqa: F401 (the model must be imported for migrations)

    return app
