"""Logistic regression vectorized with NumPy: all m samples at once, no loop over them.

The notation of the text: X is (n, m) with the samples as columns, Y is (1, m),
w is (n, 1) and b a Python float.

    Z = wᵀX + b,  A = σ(Z),  J = (1/m) Σ L(a, y)
    dZ = A − Y,   dw = (1/m) X dZᵀ,   db = (1/m) Σ dZ
    w := w − α dw,  b := b − α db

The functions carry the names learners of the course already know (``sigmoid``,
``initialize_with_zeros``, ``propagate``, ``optimize``, ``predict``, ``model``),
and ``LogisticRegressionGD`` wraps them as a scikit-learn style estimator.

The working precision is X's: float32 X keeps w, A, dZ and the gradients in
float32; any other numeric X (integers, bool, float64) is computed in float64.
No NaN or infinity comes back silently: a z = wᵀx + b, cost, dw or w that leaves the finite
numbers raises ``NonFiniteError``, an ``OverflowError`` (in ``optimize``, ``DivergedError``,
naming the iteration and the learning rate).  This module imports nothing else of
micrograd_lr but ``validation`` (NumPy only).
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from . import validation
from .validation import InputError, InputTypeError

__all__ = [
    "DivergedError",
    "LogisticRegressionGD",
    "NonFiniteError",
    "NotFittedError",
    "initialize_with_zeros",
    "model",
    "optimize",
    "predict",
    "propagate",
    "sigmoid",
]

FloatArray = npt.NDArray[np.floating[Any]]

_COST_EVERY = 100


# ----------------------------------------------------------------------------- overflow


class NonFiniteError(OverflowError):
    """A pass produced NaN or infinity (z = wᵀx + b, the cost J, dw or w); ``what`` names it."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message)
        self.what = what


class DivergedError(NonFiniteError):
    """Gradient descent left the finite numbers at ``iteration`` with ``learning_rate``: α is too large."""

    def __init__(self, message: str, what: str, iteration: int, learning_rate: float) -> None:
        super().__init__(message, what)
        self.iteration = iteration
        self.learning_rate = learning_rate


def _first_bad(arr: np.ndarray) -> tuple[int, float] | None:
    """(flat index, value) of the first NaN or infinity in arr, or None when all are finite."""
    ok = np.isfinite(arr)
    if ok.all():
        return None
    j = int(np.argmin(ok.reshape(-1)))
    return j, float(arr.reshape(-1)[j])


def _z_overflow(Z: FloatArray, w: FloatArray, b: float, X: FloatArray) -> str | None:
    """The account of a non-finite z = wᵀx + b, or None."""
    bad = _first_bad(Z)
    if bad is None:
        return None
    k, z = bad
    return (
        f"z = wᵀx + b overflowed (got {z!r}) for sample {k} (column {k} of X; max|w| = {float(np.max(np.abs(w))):.3g}, "
        f"b = {b:.3g}, max|x| = {float(np.max(np.abs(X))):.3g}, {X.dtype} holds at most {np.finfo(X.dtype).max:.3g})"
    )


# ----------------------------------------------------------------------------- sigmoid


def _sigmoid_array(Z: FloatArray) -> FloatArray:
    """σ(z) on a float array, stable: σ(z) = e^min(z, 0) / (1 + e^(−|z|)); neither exponent is ever positive."""
    A = np.minimum(Z, 0)
    np.exp(A, out=A)  # 1 for z ≥ 0, e^z for z < 0
    d = np.abs(Z)
    np.negative(d, out=d)
    np.exp(d, out=d)
    d += 1.0
    A /= d
    return A


def sigmoid(z: Any) -> Any:
    """σ(z) = 1 / (1 + e^(−z)), element-wise; scalar or array in, same shape out.

    Stable for every z: no overflow warning, σ(1000) = 1.0 and σ(−1000) = 0.0.
    float32 stays float32; integers and bool are computed in float64.
    """
    if isinstance(z, (bool, np.bool_)):
        raise InputTypeError(f"z must be a real number or a numeric array, got bool {z!r}")
    arr = np.asarray(z)
    if arr.dtype.kind in "iub":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise InputTypeError(f"z must be a real number or a numeric array, got {validation.describe(z)}")
    out = _sigmoid_array(np.atleast_1d(arr)).reshape(arr.shape)
    if arr.ndim == 0 and not isinstance(z, np.ndarray):
        return out[()]  # a NumPy scalar (np.float64 is a float)
    return out


# ----------------------------------------------------------------------------- validation


def _as_array(name: str, value: object, expected: str) -> np.ndarray:
    """value as an ndarray of real numbers, not converted (see ``validation.array``)."""
    return validation.array(name, value, f"a numeric array of shape {expected}")


def _working_dtype(X: np.ndarray) -> np.dtype[Any]:
    """float32 X stays float32; everything else is computed in float64."""
    return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)


def _samples(X: object, name: str = "X", *, n: int | None = None, n_from: str = "w") -> np.ndarray:
    """X as (n, m) finite numbers with n, m ≥ 1, in the working dtype (X's, see the module doc); not copied
    when it already has it.  ``n`` (when given) is the number of features X must have, as ``n_from`` has."""
    Xa = _as_array(name, X, "(n, m) with the samples as columns")
    if Xa.ndim != 2:
        raise InputError(f"{name} must be 2-D of shape (n, m) with the samples as columns, got shape {Xa.shape}")
    n_x, m = Xa.shape
    if m == 0:
        raise InputError(f"{name} has m = 0 samples (shape {Xa.shape}); expected at least one sample (column)")
    if n_x == 0:
        raise InputError(f"{name} has n = 0 features (shape {Xa.shape}); expected at least one feature (row)")
    if n is not None and n_x != n:
        raise InputError(f"{name} has {n_x} features (shape {Xa.shape}), expected n = {n} rows like {n_from}")
    return validation.finite(name, Xa.astype(_working_dtype(Xa), copy=False))


def _labels_of(Y: object, X: np.ndarray, names: tuple[str, str] = ("X", "Y")) -> np.ndarray:
    """Y as (1, m) labels 0/1 for the checked X (n, m), in X's dtype.  A 1-D Y of length m is taken as (1, m)."""
    x_name, y_name = names
    m = X.shape[1]
    Ya = _as_array(y_name, Y, f"(1, m) = (1, {m}) or (m,) = ({m},)")
    if Ya.shape == (m,):
        Ya = Ya.reshape(1, m)
    if Ya.shape != (1, m):
        hint = " (reshape it with .reshape(1, -1))" if Ya.shape == (m, 1) else ""
        raise InputError(
            f"{y_name} must have shape (1, m) = (1, {m}) or ({m},) to match {x_name} of shape {X.shape}, "
            f"got shape {Ya.shape}{hint}"
        )
    return validation.labels(y_name, Ya).astype(X.dtype, copy=False)


def _params_for(w: object, b: object, X: np.ndarray, x_name: str = "X") -> tuple[np.ndarray, float]:
    """(w, b) for the checked X (n, m): w (n, 1) finite in X's dtype, b a finite float."""
    n = X.shape[0]
    wa = _as_array("w", w, f"(n, 1) = ({n}, 1)")
    if wa.shape != (n, 1):
        raise InputError(
            f"w must have shape (n, 1) = ({n}, 1) to match {x_name} of shape {X.shape}, got shape {wa.shape}"
        )
    return validation.finite("w", wa.astype(X.dtype, copy=False)), validation.real("b", b)


# ----------------------------------------------------------------------------- the course's functions


def initialize_with_zeros(dim: int) -> tuple[FloatArray, float]:
    """w = 0 of shape (dim, 1) in float64 and b = 0.0: the starting point of gradient descent."""
    dim = validation.count("dim", dim, 1)
    return np.zeros((dim, 1), dtype=np.float64), 0.0


def _cost(Z: FloatArray, S: FloatArray, inv_m: float) -> float:
    """J = (1/m) Σ softplus((1 − 2y) z), with S = 1 − 2Y: −log a for y = 1, −log(1 − a) for y = 0; finite for any z."""
    return float(np.logaddexp(0.0, S * Z).sum()) * inv_m


def _step(
    w: FloatArray, b: float, X: FloatArray, Y: FloatArray, S: FloatArray, inv_m: float, with_cost: bool
) -> tuple[FloatArray, float, float]:
    """One forward and backward pass: (dw, db, cost); cost is NaN unless ``with_cost``.

    Z = wᵀX + b, A = σ(Z), dZ = A − Y, dw = X (dZ/m)ᵀ, db = (1/m) Σ dZ. Inputs are trusted (checked by the caller);
    a z, cost or dw that is not finite raises ``NonFiniteError`` saying which (no RuntimeWarning is left behind).
    """
    # wᵀX and X dZᵀ are computed as (Xᵀw)ᵀ and (dZ Xᵀ)ᵀ: the same numbers, and BLAS
    # reads X fastest this way whether X is stored by rows or by columns.
    with np.errstate(over="ignore", invalid="ignore"):
        Z = (X.T @ w).T
        Z += b
    problem = _z_overflow(Z, w, b, X)
    if problem is not None:
        raise NonFiniteError(problem, "z")
    with np.errstate(over="ignore", invalid="ignore"):
        cost = _cost(Z, S, inv_m) if with_cost else float("nan")
    if with_cost and not np.isfinite(cost):
        raise NonFiniteError(
            f"the cost J = (1/m) Σ L overflowed (got {cost!r}) (max|z| = {np.max(np.abs(Z)):.3g})", "J"
        )
    dZ = _sigmoid_array(Z)
    dZ -= Y
    db = float(dZ.sum()) * inv_m
    dZ *= inv_m
    with np.errstate(over="ignore", invalid="ignore"):
        dw = (dZ @ X.T).T
    bad = _first_bad(dw)
    if bad is not None:
        raise NonFiniteError(f"dw = (1/m) X dZᵀ overflowed (got {bad[1]!r}) at dw[{bad[0]}]", "dw")
    return dw, db, cost


def gradient_descent_update(w: FloatArray, b: float, dw: FloatArray, db: float, learning_rate: float) -> float:
    """w := w − α dw in place, and returns b − α db (b is a float).  Unchecked: α comes checked from the caller."""
    w -= learning_rate * dw
    return b - learning_rate * db


def propagate(w: Any, b: Any, X: Any, Y: Any) -> tuple[dict[str, Any], float]:
    """Forward and backward pass over all m samples: returns ({"dw": (n, 1) array, "db": float}, cost).

    A = σ(wᵀX + b), J = −(1/m) Σ (y log a + (1 − y) log(1 − a)), dw = (1/m) X (A − Y)ᵀ, db = (1/m) Σ (a − y).
    The cost is computed from Z as (1/m) Σ softplus((1 − 2y) z), the same number for y ∈ {0, 1}, so it stays
    finite when A saturates to 0 or 1.  Y may also be 1-D of length m.  If z = wᵀx + b, J or dw overflows,
    ``NonFiniteError`` (an ``OverflowError``) says which and where.
    """
    X_ = _samples(X)
    Y_ = _labels_of(Y, X_)
    w_, b_ = _params_for(w, b, X_)
    dw, db, cost = _step(w_, b_, X_, Y_, 1.0 - 2.0 * Y_, 1.0 / X_.shape[1], True)
    return {"dw": dw, "db": db}, cost


def optimize(
    w: Any,
    b: Any,
    X: Any,
    Y: Any,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """Gradient descent: num_iterations times w := w − α dw, b := b − α db, with α = learning_rate.

    Returns (params {"w", "b"} after the last step, grads {"dw", "db"} of the last step, costs), where costs holds
    J at iterations 0, 100, 200, … (before that iteration's step). The caller's w is not modified. Prints
    "Cost after iteration i: J" at those iterations when print_cost is true. Inputs are checked once, up front.
    With num_iterations = 0, w and b come back unchanged, costs is empty and grads are those at (w, b).
    """
    num_iterations = validation.count("num_iterations", num_iterations, 0)
    alpha = validation.learning_rate(learning_rate)
    X_ = _samples(X)
    Y_ = _labels_of(Y, X_)
    w_checked, b_ = _params_for(w, b, X_)
    if not (X_.flags.c_contiguous or X_.flags.f_contiguous):
        X_ = np.ascontiguousarray(X_)  # once, so that BLAS reads X in place at every iteration
    S = 1.0 - 2.0 * Y_
    inv_m = 1.0 / X_.shape[1]
    w_ = np.array(w_checked, copy=True)  # the caller's w stays as it was
    costs: list[float] = []
    if num_iterations == 0:  # no step: the gradients where we stand
        dw, db, _ = _step(w_, b_, X_, Y_, S, inv_m, False)
    for i in range(num_iterations):
        record = i % _COST_EVERY == 0
        try:
            dw, db, cost = _step(w_, b_, X_, Y_, S, inv_m, record)
        except NonFiniteError as exc:
            raise _diverged(i, alpha, str(exc), exc.what) from None
        with np.errstate(over="ignore", invalid="ignore"):
            b_ = gradient_descent_update(w_, b_, dw, db, alpha)
        bad = _first_bad(w_)
        if bad is not None or not np.isfinite(b_):
            j, v = bad if bad is not None else (-1, b_)
            name, grad = (f"w[{j}]", float(dw.reshape(-1)[j])) if bad is not None else ("b", db)
            raise _diverged(i, alpha, f"the step {name} := {name} − α·({grad:.3g}) overflowed (got {v!r})", "w")
        if record:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w_, "b": b_}, {"dw": dw, "db": db}, costs


def _diverged(i: int, alpha: float, what_happened: str, what: str) -> DivergedError:
    return DivergedError(
        f"gradient descent diverged at iteration {i} with learning_rate {alpha!r}: {what_happened}; "
        "use a smaller learning rate",
        what,
        i,
        alpha,
    )


def predict(w: Any, b: Any, X: Any) -> FloatArray:
    """Labels ŷ of shape (1, m): 1.0 where a = σ(wᵀx + b) > 0.5, else 0.0."""
    X_ = _samples(X)
    w_, b_ = _params_for(w, b, X_)
    return _predict_unchecked(w_, b_, X_)


def _predict_unchecked(w: FloatArray, b: float, X: FloatArray) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore"):
        Z = w.T @ X
        Z += b
    problem = _z_overflow(Z, w, b, X)
    if problem is not None:
        raise NonFiniteError(problem, "z")
    A = _sigmoid_array(Z)
    return (A > 0.5).astype(A.dtype)


def model(
    X_train: Any,
    Y_train: Any,
    X_test: Any,
    Y_test: Any,
    num_iterations: int = 2000,
    learning_rate: float = 0.5,
    print_cost: bool = False,
) -> dict[str, Any]:
    """Initialize with zeros, optimize on the training set, predict on both sets.

    Returns a dict with keys costs, Y_prediction_test, Y_prediction_train, w, b, learning_rate, num_iterations.
    """
    X_tr = _samples(X_train, "X_train")
    Y_tr = _labels_of(Y_train, X_tr, ("X_train", "Y_train"))
    n = X_tr.shape[0]
    X_te = _samples(X_test, "X_test", n=n, n_from="X_train")
    _labels_of(Y_test, X_te, ("X_test", "Y_test"))
    w, b = initialize_with_zeros(n)
    params, _grads, costs = optimize(w, b, X_tr, Y_tr, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    return {
        "costs": costs,
        "Y_prediction_test": _predict_unchecked(w, b, X_te.astype(w.dtype, copy=False)),
        "Y_prediction_train": _predict_unchecked(w, b, X_tr),
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }


# ----------------------------------------------------------------------------- the estimator


class NotFittedError(ValueError, AttributeError):
    """Raised when predict, predict_proba or score is called before fit (like scikit-learn's error of that name).

    When scikit-learn is loaded, the error raised is also an instance of ``sklearn.exceptions.NotFittedError``.
    """


_SKLEARN_NOT_FITTED: dict[type, type] = {}


def _not_fitted_error() -> type[NotFittedError]:
    """NotFittedError, joined with scikit-learn's class of that name when scikit-learn is already loaded."""
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return NotFittedError
    base = sk.NotFittedError
    if base not in _SKLEARN_NOT_FITTED:
        _SKLEARN_NOT_FITTED[base] = type("NotFittedError", (NotFittedError, base), {"__module__": __name__})
    return _SKLEARN_NOT_FITTED[base]


def _data_conversion_warning() -> type[Warning]:
    """scikit-learn's DataConversionWarning when it is loaded, else UserWarning."""
    sk = sys.modules.get("sklearn.exceptions")
    return sk.DataConversionWarning if sk is not None else UserWarning


def _is_sparse(value: object) -> bool:
    """Whether value is a SciPy sparse matrix or array (without importing SciPy)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(value))


class LogisticRegressionGD:
    """Logistic regression trained by batch gradient descent, in scikit-learn's conventions.

    Unlike the rest of this module, X here holds the samples as ROWS, shape (m, n), and y is 1-D of length m with
    labels 0/1, as scikit-learn expects. The estimator converts at its edge (X → Xᵀ, y → y of shape (1, m)) and then
    runs ``optimize`` from w = 0, b = 0. After ``fit``: ``coef_`` = wᵀ of shape (1, n), ``intercept_`` = [b] of
    shape (1,), ``costs_`` (J every 100 iterations), ``classes_`` = [0, 1], ``n_features_in_`` = n.

    Works with scikit-learn's ``clone`` and ``cross_val_score`` without importing scikit-learn.
    """

    _estimator_type = "classifier"  # how scikit-learn < 1.6 recognises a classifier

    def __init__(self, num_iterations: int = 2000, learning_rate: float = 0.5) -> None:
        self.num_iterations = num_iterations
        self.learning_rate = learning_rate

    # scikit-learn's parameter protocol
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters, as given."""
        return {"num_iterations": self.num_iterations, "learning_rate": self.learning_rate}

    def set_params(self, **params: Any) -> LogisticRegressionGD:
        """Set constructor parameters by name; returns self."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise InputError(f"invalid parameter {key!r} for {type(self).__name__}; valid ones: {sorted(valid)}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __sklearn_tags__(self) -> Any:
        """Tags for scikit-learn ≥ 1.6 (imported here, only when scikit-learn asks for them)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            # two classes only: three or more raise "Only binary classification is supported."
            classifier_tags=ClassifierTags(multi_class=False),
            input_tags=InputTags(sparse=False),  # sparse X is refused with a message that says so
        )

    # conversion at the edge: rows (m, n) → columns (n, m)
    def _columns(self, X: object, fitted_n: int | None) -> np.ndarray:
        if _is_sparse(X):
            raise InputTypeError(
                f"X is a sparse matrix ({type(X).__name__}); {type(self).__name__} does not support sparse input: "
                "pass a dense array (X.toarray())"
            )
        if isinstance(X, (list, tuple)) or hasattr(X, "__array__"):
            with contextlib.suppress(ValueError, TypeError):  # ragged: validation.array says so below
                X = np.asarray(X)
        if isinstance(X, np.ndarray) and X.dtype.kind == "c":
            raise InputError("Complex data not supported: X must hold real numbers")
        if isinstance(X, np.ndarray) and X.dtype == object:
            X = X.astype(np.float64)  # numbers stored as objects; anything else is a TypeError here
        arr = _as_array("X", X, "(m, n) with the samples as rows")
        if arr.ndim != 2:
            raise InputError(
                f"X must be 2-D of shape (m, n) with the samples as rows, got shape {arr.shape}. Reshape your data "
                "with X.reshape(-1, 1) if it has one feature, or X.reshape(1, -1) if it is one sample"
            )
        if arr.shape[0] == 0:
            raise InputError(
                f"X of shape {arr.shape} is empty: found 0 sample(s) (shape={arr.shape}) while a minimum of 1 is "
                "required."
            )
        if arr.shape[1] == 0:
            raise InputError(
                f"X of shape {arr.shape} is empty: found 0 feature(s) (shape={arr.shape}) while a minimum of 1 is "
                "required."
            )
        validation.finite("X", arr)
        if fitted_n is not None and arr.shape[1] != fitted_n:
            raise InputError(
                f"X has {arr.shape[1]} features, but {type(self).__name__} is expecting {fitted_n} features as input "
                f"(shape {arr.shape}; it was fitted with n_features_in_ = {fitted_n})"
            )
        return arr.T

    def _labels(self, y: object, m: int) -> np.ndarray:
        """y as a 1-D array of length m, of any label type (a column vector is taken with a warning)."""
        if y is None:
            raise InputError(
                f"{type(self).__name__} requires y to be passed, but the target y is None; expected labels of shape "
                f"(m,) = ({m},)"
            )
        if _is_sparse(y):
            raise InputTypeError("y is a sparse matrix; sparse input is not supported: pass a dense 1-D array")
        arr = np.asarray(y)
        if arr.shape == (m, 1):
            warnings.warn(
                f"A column-vector y was passed when a 1d array was expected (shape ({m}, 1)); it is used as y.ravel()",
                _data_conversion_warning(),
                stacklevel=3,
            )
            arr = arr.ravel()
        if arr.shape != (m,):
            hint = " (use y.ravel())" if arr.shape == (1, m) else ""
            raise InputError(f"y must be 1-D of shape (m,) = ({m},) like X's rows, got shape {arr.shape}{hint}")
        return arr

    def fit(self, X: Any, y: Any) -> LogisticRegressionGD:
        """Gradient descent from zeros on X (m, n) and y (m,) of two classes; returns self.

        The two labels (any: 0/1, −1/1, strings, booleans) are sorted into ``classes_``; the second is the
        positive class y = 1.  Three or more classes raise a ``ValueError``: only binary classification is
        supported.
        """
        Xc = self._columns(X, None)
        m = Xc.shape[1]
        labels = self._labels(y, m)
        if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
            raise InputError("y must be finite, got NaN or infinity")
        if labels.dtype.kind == "f" and np.any(labels != np.round(labels)):
            raise InputError(
                "Unknown label type: continuous. y must hold class labels (two of them), got non-integer floats"
            )
        classes, encoded = np.unique(labels, return_inverse=True)
        if len(classes) > 2:
            raise InputError(
                f"y must hold two classes (labels 0 or 1, or any two labels), got {len(classes)}: "
                f"{classes[:10].tolist()}. Only binary classification is supported."
            )
        if len(classes) == 1 and labels.dtype.kind in "biuf" and classes[0] in (0, 1):
            # one of the text's labels 0/1 only: still the classes 0 and 1, with y as it is
            classes, encoded = np.array([0, 1]).astype(labels.dtype), labels.astype(np.intp)
        if len(classes) < 2:
            raise InputError(
                f"y holds only one class ({classes.tolist()}): a classifier can't train when only one class is present"
            )
        X_ = _samples(Xc)
        Y_ = encoded.reshape(1, m).astype(X_.dtype)
        w, b = initialize_with_zeros(X_.shape[0])
        params, _grads, costs = optimize(w, b, X_, Y_, self.num_iterations, self.learning_rate)
        self.coef_ = params["w"].T.copy()
        self.intercept_ = np.array([params["b"]], dtype=self.coef_.dtype)
        self.costs_ = costs
        self.classes_ = classes
        self.n_features_in_ = int(X_.shape[0])
        return self

    def _fitted(self) -> tuple[FloatArray, float, int]:
        if not hasattr(self, "coef_"):
            raise _not_fitted_error()(f"this {type(self).__name__} is not fitted yet; call fit(X, y) first")
        return self.coef_.T, float(self.intercept_[0]), self.n_features_in_

    def decision_function(self, X: Any) -> FloatArray:
        """z = Xw + b for each row of X, shape (m,)."""
        w, b, n = self._fitted()
        X_ = _samples(self._columns(X, n), n=n)
        Z = w.T.astype(X_.dtype, copy=False) @ X_
        Z += b
        return Z.ravel()

    def predict_proba(self, X: Any) -> FloatArray:
        """[1 − a, a] for each row of X, shape (m, 2), with a = σ(wᵀx + b)."""
        A = _sigmoid_array(self.decision_function(X))
        return np.column_stack([1.0 - A, A])

    def predict(self, X: Any) -> np.ndarray:
        """Labels 0/1 of shape (m,): 1 where a = σ(wᵀx + b) > 0.5."""
        w, b, n = self._fitted()
        X_ = _samples(self._columns(X, n), n=n)
        labels = _predict_unchecked(w.astype(X_.dtype, copy=False), b, X_).ravel()
        out: np.ndarray = self.classes_[labels.astype(np.intp)]
        return out

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of rows whose predicted label equals y."""
        predicted = self.predict(X)
        return float(np.mean(predicted == self._labels(y, predicted.shape[0])))
