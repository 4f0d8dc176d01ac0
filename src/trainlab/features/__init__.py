"""Feature columns: from a pandas DataFrame (or dict of arrays) to model inputs.

The ``tf.feature_column`` API of the Google ML Crash Course, on trainlab:
declare how each raw column becomes numbers, then let `DenseFeatures` (for
neural networks) or `LinearModel` (for linear models) turn them into a layer.
Strings become integer codes once, on the host; normalization, bucketizing,
hashing, crosses, one-hot and embeddings run inside the compiled model.
`infer_feature_columns(df)` proposes columns for a DataFrame and explains why.

Example:
    >>> import pandas as pd
    >>> from trainlab import features
    >>> df = pd.DataFrame({"rooms": [3.0, 5.0, 4.0], "ocean": ["NEAR BAY", "INLAND", "INLAND"]})
    >>> cols = features.infer_feature_columns(df)
    >>> [c.name for c in cols]
    ['rooms', 'ocean_indicator']
"""

from ._columns import (
    COLUMNS,
    BucketizedColumn,
    CategoricalColumn,
    CrossedColumn,
    DenseColumn,
    EmbeddingColumn,
    FeatureColumn,
    HashedColumn,
    IdentityColumn,
    IndicatorColumn,
    NumericColumn,
    VocabularyListColumn,
    bucketized_column,
    categorical_column_with_hash_bucket,
    categorical_column_with_identity,
    categorical_column_with_vocabulary_list,
    crossed_column,
    deserialize_column,
    embedding_column,
    indicator_column,
    numeric_column,
    serialize_column,
)
from ._infer import InferredColumns, infer_feature_columns
from ._layers import DenseFeatures, FeatureEncoder, LinearModel

__all__ = [
    "numeric_column",
    "bucketized_column",
    "categorical_column_with_vocabulary_list",
    "categorical_column_with_identity",
    "categorical_column_with_hash_bucket",
    "crossed_column",
    "indicator_column",
    "embedding_column",
    "infer_feature_columns",
    "InferredColumns",
    "DenseFeatures",
    "LinearModel",
    "FeatureEncoder",
    "FeatureColumn",
    "DenseColumn",
    "CategoricalColumn",
    "NumericColumn",
    "BucketizedColumn",
    "VocabularyListColumn",
    "IdentityColumn",
    "HashedColumn",
    "CrossedColumn",
    "IndicatorColumn",
    "EmbeddingColumn",
    "COLUMNS",
    "serialize_column",
    "deserialize_column",
]


def _register_layers() -> None:
    from .. import saving

    for cls in (DenseFeatures, LinearModel):
        saving.register_serializable()(cls)


_register_layers()
