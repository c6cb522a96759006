"""Searches the maps of the default shared-mlp (deep-share) truth, simulations/models/default-shared-mlp.yaml,
under a rule written down before any fit with it was run (issue 8 item 5). The earlier shared-mlp truth had
key-Jacobian smallest singular values 0.11 and 0.24 at its true atoms, against 0.94 for the default
shared-linear truth, so at any practical n it behaved almost like a non-shared model.
Rule: keep the default pretrained part, the true atoms p* = (1, 0.6), (-0.7, 0.9), zero biases and a hidden
layer of 4 tanh units; entries rounded to one decimal; accept the first draw in which, at every true atom,
  (a) the key Jacobian W2_key diag(1 - tanh^2(W1 p* + b1)) W1 has smallest singular value >= 0.8 and
      condition number <= 2 (the shared-linear truth: 0.94 and 1.15);
  (b) every hidden pre-activation |W1 p* + b1| lies in [0.25, 1.5]: no unit saturated, none linear;
  (c) the key and the value have norms in [0.5, 2], as the shared-linear truth's do.
W2 is not drawn: given W1, b1 it is the matrix that makes the key and value Jacobians at both atoms equal to
the shared-linear truth's R_K and R_V (then rounded), and b2 centres keys and values on the shared-linear ones.
Usage: python3 simulations/models/design/shared_mlp_truth.py"""
import numpy as np

P = np.array([[1.0, 0.6], [-0.7, 0.9]])
RK = np.array([[1.0, 0.4], [-0.3, 0.9]])
RV = np.array([[0.8, -0.5], [0.4, 1.0]])


def accepted(W1, b1, W2, b2):
    for p in P:
        z = W1 @ p + b1
        t = np.tanh(z)
        J = W2 @ np.diag(1 - t * t) @ W1
        sv = np.linalg.svd(J[:2])[1]
        u = W2 @ t + b2
        if not (sv[-1] >= 0.8 and sv[0] / sv[-1] <= 2 and np.all(np.abs(z) >= 0.25) and np.all(np.abs(z) <= 1.5)
                and 0.5 <= np.linalg.norm(u[:2]) <= 2 and 0.5 <= np.linalg.norm(u[2:]) <= 2):
            return False
    return True


rng = np.random.default_rng(20251129)
for trial in range(100_000):
    W1 = np.round(rng.uniform(-1, 1, (4, 2)), 1)
    b1 = np.round(rng.uniform(-0.5, 0.5, 4), 1)
    Z = np.array([W1 @ p + b1 for p in P])
    if not (np.all(np.abs(Z) >= 0.25) and np.all(np.abs(Z) <= 1.5)):
        continue
    M = np.hstack([np.diag(1 - np.tanh(W1 @ p + b1) ** 2) @ W1 for p in P])
    if np.linalg.cond(M) > 50:
        continue
    W2 = np.round(np.vstack([np.hstack([RK, RK]), np.hstack([RV, RV])]) @ np.linalg.inv(M), 1)
    if np.abs(W2).max() > 2.5:
        continue
    T = np.array([np.tanh(W1 @ p + b1) for p in P])
    target = np.array([np.concatenate([RK @ p, RV @ p]) for p in P])
    b2 = np.round((target - T @ W2.T).mean(0), 1)
    if accepted(W1, b1, W2, b2):
        print(f"trial {trial}\nW1: {W1.tolist()}\nb1: {b1.tolist()}\nW2: {W2.tolist()}\nb2: {b2.tolist()}")
        for p in P:
            t = np.tanh(W1 @ p + b1)
            J = W2 @ np.diag(1 - t * t) @ W1
            print("atom", p, "key-Jacobian singular values", np.linalg.svd(J[:2])[1].round(3),
                  "key", (W2 @ t + b2)[:2].round(3), "value", (W2 @ t + b2)[2:].round(3))
        break
