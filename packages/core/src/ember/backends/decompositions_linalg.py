"""Core decompositions of the linear-algebra factorizations into required kernels.

Every function works on batches (leading dimensions) of float32/float64 matrices with
elementwise kernels, slicing (getitem/setitem), gathers, argmax and matmul, so a backend
gets ``ember.linalg`` as soon as its required ops work; nothing moves to the host.

- ``lu_factor``: LU with partial pivoting (LAPACK getrf's unblocked algorithm: the first
  largest pivot, 1-based pivots, ``info`` = the first exactly-zero pivot or 0).
- ``lu_solve`` and ``triangular_solve``: row permutations and substitution.
- ``cholesky``: Cholesky-Banachiewicz on the lower triangle (``info`` as LAPACK potrf).
- ``qr``: Householder reflections with LAPACK geqrf's sign convention, so R and Q agree
  with LAPACK-based libraries (NumPy, PyTorch) to rounding.
- ``eigh``: the cyclic Jacobi method in parallel (round-robin) order on the lower triangle.
- ``svd``: one-sided (Hestenes) Jacobi on the narrower side; U is completed to an
  orthonormal basis with a Householder QR where singular values are zero.

The Jacobi methods run a fixed number of sweeps (no data-dependent loop, so no host
synchronisation); they converge quadratically, and the count suits matrices up to a few
hundred rows in float64. These are fallbacks: libraries with LAPACK (NumPy, CuPy) use it.
"""

from __future__ import annotations

from .. import _dtype

_ALL = slice(None)


def _dt(x):
    return _dtype.from_numpy_dtype(x.dtype)


def _batch(x):
    return tuple(x.shape[:-2])


def _broadcast_index(k, idx, shape):
    return k.broadcast_to(idx, shape)


# -- LU ----------------------------------------------------------------------------------
def lu_factor(k, a):
    """(LU, pivots, info) of ``a`` (..., m, n): P A = L U, L unit lower (stored below the
    diagonal), pivots (..., min(m, n)) 1-based int64, info (...) int64."""
    a = k.copy(a)
    m, n = a.shape[-2], a.shape[-1]
    batch = _batch(a)
    kk = min(m, n)
    info = k.full(batch, 0, _dtype.int64, None)
    pivots = []
    for j in range(kk):
        col = k.getitem(a, (Ellipsis, slice(j, None), j))  # (..., m-j)
        p = k.add(k.argmax(k.abs(col), len(batch), False), j)  # (...)
        pivots.append(k.add(p, 1))
        # swap rows j and p
        idx = _broadcast_index(k, k.reshape(p, batch + (1, 1)), batch + (1, n))
        row_p = k.take_along_axis(a, idx, len(batch))
        row_j = k.copy(k.getitem(a, (Ellipsis, slice(j, j + 1), _ALL)))
        k.put_along_axis(a, idx, row_j, len(batch))
        k.setitem(a, (Ellipsis, slice(j, j + 1), _ALL), row_p)
        pivot = k.getitem(a, (Ellipsis, j, j))
        zero = k.eq(pivot, 0)
        info = k.where(k.logical_and(k.eq(info, 0), zero), j + 1, info)
        if j + 1 < m:
            safe = k.reshape(k.where(zero, 1.0, pivot), batch + (1,))
            below = k.getitem(a, (Ellipsis, slice(j + 1, None), j))
            mult = k.div(below, safe)
            k.setitem(a, (Ellipsis, slice(j + 1, None), j), mult)
            if j + 1 < n:
                urow = k.getitem(a, (Ellipsis, slice(j, j + 1), slice(j + 1, None)))
                update = k.mul(k.reshape(mult, batch + (m - j - 1, 1)), urow)
                key = (Ellipsis, slice(j + 1, None), slice(j + 1, None))
                k.setitem(a, key, k.sub(k.getitem(a, key), update))
    if pivots:
        piv = k.concatenate([k.reshape(p, batch + (1,)) for p in pivots], len(batch))
    else:
        piv = k.full(batch + (0,), 0, _dtype.int64, None)
    return a, piv, info


def _permute_rows(k, b, pivots):
    """Apply the row interchanges of 1-based ``pivots`` to ``b`` (..., n, r), in order."""
    b = k.copy(b)
    batch = _batch(b)
    r = b.shape[-1]
    for j in range(pivots.shape[-1]):
        p = k.sub(k.getitem(pivots, (Ellipsis, j)), 1)
        idx = _broadcast_index(k, k.reshape(p, batch + (1, 1)), batch + (1, r))
        row_p = k.take_along_axis(b, idx, len(batch))
        row_j = k.copy(k.getitem(b, (Ellipsis, slice(j, j + 1), _ALL)))
        k.put_along_axis(b, idx, row_j, len(batch))
        k.setitem(b, (Ellipsis, slice(j, j + 1), _ALL), row_p)
    return b


def _substitute(k, a, b, upper, unit):
    """Solve a x = b for triangular ``a`` (..., n, n), ``b`` (..., n, r) (left side)."""
    n = a.shape[-1]
    x = k.copy(b)
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        rhs = k.getitem(x, (Ellipsis, slice(i, i + 1), _ALL))
        done = slice(i + 1, None) if upper else slice(0, i)
        if (upper and i + 1 < n) or (not upper and i > 0):
            coef = k.getitem(a, (Ellipsis, slice(i, i + 1), done))
            rhs = k.sub(rhs, k.matmul(coef, k.getitem(x, (Ellipsis, done, _ALL))))
        if not unit:
            rhs = k.div(rhs, k.getitem(a, (Ellipsis, slice(i, i + 1), slice(i, i + 1))))
        k.setitem(x, (Ellipsis, slice(i, i + 1), _ALL), rhs)
    return x


def _mT(k, x):
    nd = x.ndim
    return k.permute(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def lu_solve(k, lu, pivots, b):
    """X with A X = B from ``lu_factor``'s (LU, pivots); B (..., n, r) shares LU's batch."""
    pb = _permute_rows(k, b, pivots)
    y = _substitute(k, lu, pb, upper=False, unit=True)
    return _substitute(k, lu, y, upper=True, unit=False)


def triangular_solve(k, a, b, upper, left, unitriangular):
    """X with A X = B (left) or X A = B (right) for triangular ``a``; only the triangle
    named by ``upper`` is read."""
    if left:
        return _substitute(k, a, b, upper, unitriangular)
    xt = _substitute(k, _mT(k, a), _mT(k, b), not upper, unitriangular)
    return k.copy(_mT(k, xt))


# -- Cholesky ----------------------------------------------------------------------------
def cholesky(k, a):
    """(L, info): A = L L^T from the lower triangle of ``a``; info is the order of the first
    leading minor that is not positive-definite (0 when all are)."""
    n = a.shape[-1]
    batch = _batch(a)
    low = k.full(a.shape, 0, _dt(a), None)
    info = k.full(batch, 0, _dtype.int64, None)
    for j in range(n):
        d = k.getitem(a, (Ellipsis, slice(j, j + 1), slice(j, j + 1)))
        row = k.getitem(low, (Ellipsis, slice(j, j + 1), slice(0, j)))
        if j:
            d = k.sub(d, k.matmul(row, _mT(k, row)))
        bad = k.logical_not(k.gt(d, 0))  # also NaN
        info = k.where(k.logical_and(k.eq(info, 0), k.reshape(bad, batch)), j + 1, info)
        root = k.sqrt(k.where(bad, 1.0, d))
        k.setitem(low, (Ellipsis, slice(j, j + 1), slice(j, j + 1)), k.where(bad, d, root))
        if j + 1 < n:
            col = k.getitem(a, (Ellipsis, slice(j + 1, None), slice(j, j + 1)))
            if j:
                below = k.getitem(low, (Ellipsis, slice(j + 1, None), slice(0, j)))
                col = k.sub(col, k.matmul(below, _mT(k, row)))
            k.setitem(low, (Ellipsis, slice(j + 1, None), slice(j, j + 1)), k.div(col, root))
    return low, info


# -- QR ----------------------------------------------------------------------------------
def _norm_last(k, v):
    return k.sqrt(k.sum(k.mul(v, v), (v.ndim - 1,), False))


def qr(k, a, mode):
    """(Q, R) of ``a`` (..., m, n) by Householder reflections; mode "reduced" (Q m x k,
    R k x n), "complete" (Q m x m, R m x n) or "r" (Q empty, R k x n); k = min(m, n)."""
    m, n = a.shape[-2], a.shape[-1]
    batch = _batch(a)
    nb = len(batch)
    kk = min(m, n)
    r = k.copy(a)
    dt = _dt(a)
    vs, taus = [], []
    for j in range(kk):
        x = k.getitem(r, (Ellipsis, slice(j, None), j))  # (..., m-j)
        alpha = k.getitem(x, (Ellipsis, 0))
        rest = k.getitem(x, (Ellipsis, slice(1, None)))
        xnorm = _norm_last(k, rest)
        trivial = k.eq(xnorm, 0)
        norm = k.sqrt(k.add(k.mul(alpha, alpha), k.mul(xnorm, xnorm)))
        beta = k.where(k.lt(alpha, 0), norm, k.neg(norm))  # -sign(alpha) * norm
        safe_beta = k.where(trivial, 1.0, beta)
        tau = k.where(trivial, 0.0, k.div(k.sub(beta, alpha), safe_beta))
        scale = k.where(trivial, 0.0, k.div(1.0, k.where(trivial, 1.0, k.sub(alpha, beta))))
        v = k.concatenate([k.full(batch + (1,), 1, dt, None),
                           k.mul(rest, k.reshape(scale, batch + (1,)))], nb)
        new_diag = k.where(trivial, alpha, beta)
        k.setitem(r, (Ellipsis, j, j), new_diag)
        if j + 1 < m:
            k.setitem(r, (Ellipsis, slice(j + 1, None), j), k.full(batch + (m - j - 1,), 0, dt,
                                                                      None))
        if j + 1 < n:  # H = I - tau v v^T on the trailing columns
            key = (Ellipsis, slice(j, None), slice(j + 1, None))
            block = k.getitem(r, key)
            vcol = k.reshape(v, batch + (m - j, 1))
            proj = k.matmul(_mT(k, vcol), block)  # (..., 1, n-j-1)
            k.setitem(r, key, k.sub(block, k.mul(k.mul(vcol, k.reshape(tau, batch + (1, 1))),
                                                 proj)))
        vs.append(v)
        taus.append(tau)
    if mode == "r":
        return k.full((0,), 0, dt, None), k.copy(k.getitem(r, (Ellipsis, slice(0, kk), _ALL)))
    cols = m if mode == "complete" else kk
    q = k.broadcast_to(k.eye(m, cols, dt, None), batch + (m, cols))
    q = k.copy(q)
    for j in range(kk - 1, -1, -1):
        key = (Ellipsis, slice(j, None), _ALL)
        block = k.getitem(q, key)
        vcol = k.reshape(vs[j], batch + (m - j, 1))
        proj = k.matmul(_mT(k, vcol), block)
        k.setitem(q, key, k.sub(block, k.mul(k.mul(vcol, k.reshape(taus[j], batch + (1, 1))),
                                             proj)))
    rows = m if mode == "complete" else kk
    return q, k.copy(k.getitem(r, (Ellipsis, slice(0, rows), _ALL)))


# -- Jacobi methods ----------------------------------------------------------------------
def _rounds(n):
    """Round-robin pairings of 0..n-1 (an extra index n sits out when n is odd): every pair
    meets once per sweep, and the pairs of one round are disjoint."""
    size = n + (n % 2)
    players = list(range(size))
    rounds = []
    for _ in range(size - 1):
        pairs = [(players[i], players[size - 1 - i]) for i in range(size // 2)]
        pairs = [(min(p, q), max(p, q)) for p, q in pairs if p < n and q < n]
        if pairs:
            rounds.append(pairs)
        players = [players[0]] + [players[-1]] + players[1:-1]
    return rounds


def _sweeps(n, itemsize):
    return (8 if itemsize == 8 else 6) + n.bit_length()


def _minus_one_where(k, cond, like):
    """-1 where ``cond``, else 1, in ``like``'s dtype (a ``where`` of two Python scalars
    would have no array to take its dtype from)."""
    return k.sub(1.0, k.mul(k.astype(cond, _dt(like)), 2.0))


def _rotation(k, app, aqq, apq):
    """(c, s) of the Jacobi rotation that zeroes apq (Golub & Van Loan's sym.schur2)."""
    zero = k.eq(apq, 0)
    safe = k.where(zero, 1.0, apq)
    tau = k.div(k.sub(aqq, app), k.mul(safe, 2.0))
    sign = _minus_one_where(k, k.lt(tau, 0), tau)
    t = k.div(sign, k.add(k.abs(tau), k.sqrt(k.add(k.mul(tau, tau), 1.0))))
    t = k.where(zero, 0.0, t)
    c = k.div(1.0, k.sqrt(k.add(k.mul(t, t), 1.0)))
    return c, k.mul(t, c)


def _index(k, values):
    return k.arange(0, 0, 1, _dtype.int64, None) if not values else k.reshape(
        k.concatenate([k.full((1,), v, _dtype.int64, None) for v in values], 0), (len(values),))


def _rotate(k, x, p, q, c, s, axis):
    """Rows (axis -2) or columns (axis -1) p, q of x: p' = c p - s q, q' = s p + c q."""
    if axis == -2:
        kp, kq = (Ellipsis, p, _ALL), (Ellipsis, q, _ALL)
        c, s = k.reshape(c, c.shape + (1,)), k.reshape(s, s.shape + (1,))
    else:
        kp, kq = (Ellipsis, p), (Ellipsis, q)
        c = k.reshape(c, c.shape[:-1] + (1, c.shape[-1]))
        s = k.reshape(s, s.shape[:-1] + (1, s.shape[-1]))
    xp, xq = k.getitem(x, kp), k.getitem(x, kq)
    k.setitem(x, kp, k.sub(k.mul(c, xp), k.mul(s, xq)))
    k.setitem(x, kq, k.add(k.mul(s, xp), k.mul(c, xq)))


def _identity(k, batch, n, dt):
    return k.copy(k.broadcast_to(k.eye(n, n, dt, None), batch + (n, n)))


def _tril(k, a):
    n = a.shape[-1]
    rows = k.reshape(k.arange(0, n, 1, _dtype.int64, None), (n, 1))
    cols = k.reshape(k.arange(0, n, 1, _dtype.int64, None), (1, n))
    return k.where(k.ge(rows, cols), a, 0.0), k.gt(rows, cols)


def eigh(k, a):
    """(eigenvalues ascending, eigenvectors as columns) of the symmetric matrix whose lower
    triangle ``a`` holds."""
    n = a.shape[-1]
    batch = _batch(a)
    dt = _dt(a)
    low, strict = _tril(k, a)
    work = k.add(low, _mT(k, k.where(strict, low, 0.0)))
    vec = _identity(k, batch, n, dt)
    rounds = [(_index(k, [p for p, _ in r]), _index(k, [q for _, q in r])) for r in _rounds(n)]
    for _ in range(_sweeps(n, a.dtype.itemsize) if n > 1 else 0):
        for p, q in rounds:
            app = k.getitem(work, (Ellipsis, p, p))
            aqq = k.getitem(work, (Ellipsis, q, q))
            apq = k.getitem(work, (Ellipsis, p, q))
            c, s = _rotation(k, app, aqq, apq)
            _rotate(k, work, p, q, c, s, -2)
            _rotate(k, work, p, q, c, s, -1)
            _rotate(k, vec, p, q, c, s, -1)
    diag = k.copy(k.getitem(work, (Ellipsis, _index(k, list(range(n))),
                                   _index(k, list(range(n))))))
    values, order = k.sort(diag, len(batch), False, True)
    idx = k.broadcast_to(k.reshape(order, batch + (1, n)), batch + (n, n))
    return values, k.take_along_axis(vec, idx, len(batch) + 1)


def svd(k, a, full_matrices):
    """(U, S descending, Vh) of ``a`` (..., m, n)."""
    m, n = a.shape[-2], a.shape[-1]
    if m < n:
        u, s, vh = svd(k, _mT(k, a), full_matrices)
        return k.copy(_mT(k, vh)), s, k.copy(_mT(k, u))
    batch = _batch(a)
    nb = len(batch)
    dt = _dt(a)
    work = k.copy(a)
    vec = _identity(k, batch, n, dt)
    rounds = [(_index(k, [p for p, _ in r]), _index(k, [q for _, q in r])) for r in _rounds(n)]
    for _ in range(_sweeps(n, a.dtype.itemsize) if n > 1 else 0):
        for p, q in rounds:
            cp = k.getitem(work, (Ellipsis, p))  # (..., m, pairs)
            cq = k.getitem(work, (Ellipsis, q))
            alpha = k.sum(k.mul(cp, cp), (nb,), False)
            beta = k.sum(k.mul(cq, cq), (nb,), False)
            gamma = k.sum(k.mul(cp, cq), (nb,), False)
            c, s = _rotation(k, alpha, beta, gamma)
            _rotate(k, work, p, q, c, s, -1)
            _rotate(k, vec, p, q, c, s, -1)
    norms = k.sqrt(k.sum(k.mul(work, work), (nb,), False))  # (..., n)
    values, order = k.sort(norms, nb, True, True)
    idx = k.broadcast_to(k.reshape(order, batch + (1, n)), batch + (m, n))
    work = k.take_along_axis(work, idx, nb + 1)
    vec = k.take_along_axis(vec, k.broadcast_to(k.reshape(order, batch + (1, n)),
                                                batch + (n, n)), nb + 1)
    zero = k.eq(values, 0)
    safe = k.reshape(k.where(zero, 1.0, values), batch + (1, n))
    u = k.where(k.reshape(zero, batch + (1, n)), 0.0, k.div(work, safe))
    # complete U to an orthonormal basis: Householder QR of [U] keeps its nonzero columns
    # (up to sign, fixed from R's diagonal) and fills the zero ones
    q, r = qr(k, u, "complete" if full_matrices else "reduced")
    diag = k.getitem(r, (Ellipsis, _index(k, list(range(n))), _index(k, list(range(n)))))
    flip = _minus_one_where(k, k.lt(diag, 0), diag)
    if full_matrices and m > n:
        flip = k.concatenate([flip, k.full(batch + (m - n,), 1, dt, None)], nb)
    u = k.mul(q, k.reshape(flip, batch + (1, flip.shape[-1])))
    return u, values, k.copy(_mT(k, vec))
