"""Maximum-weight one-to-one assignment (the Hungarian method), in pure Python.

CEAF aligns key and response entities one to one so that the summed similarity is largest. The
similarity of two entities is zero unless they share a mention, so the pairs with a weight form
many small connected groups (usually one key entity and one response entity): each group is
solved on its own with the shortest-augmenting-path form of the Hungarian method, O(n^3) in the
size of the group. Pure Python keeps ``hmtl score-coref`` free of numpy and scipy, so it starts
at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Pair = tuple[int, int]


def max_weight_matching(weights: Mapping[Pair, float]) -> list[Pair]:
    """The (row, column) pairs of a one-to-one assignment with the largest summed weight.

    ``weights`` lists the positive weights; absent pairs weigh 0 and are never returned (an
    assignment through them adds nothing). Pairs come back sorted.
    """
    matched: list[Pair] = []
    for rows, columns in _connected_groups(weights):
        table = [[weights.get((row, column), 0.0) for column in columns] for row in rows]
        for i, j in _dense_max_assignment(table):
            if (rows[i], columns[j]) in weights:
                matched.append((rows[i], columns[j]))
    return sorted(matched)


def _connected_groups(weights: Mapping[Pair, float]) -> list[tuple[list[int], list[int]]]:
    """Rows and columns linked by weighted pairs, one group per connected component."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for row, column in weights:
        parent[root(("row", row))] = root(("column", column))
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for node in sorted(parent):
        rows, columns = groups.setdefault(root(node), ([], []))
        (rows if node[0] == "row" else columns).append(node[1])
    return list(groups.values())


def _dense_max_assignment(table: Sequence[Sequence[float]]) -> list[Pair]:
    """Maximum-weight assignment of a dense table: every row of the smaller side is assigned."""
    if len(table) > len(table[0]):
        transposed = [list(column) for column in zip(*table, strict=True)]
        return sorted((i, j) for j, i in _dense_max_assignment(transposed))
    return _min_cost_assignment([[-weight for weight in row] for row in table])


def _min_cost_assignment(cost: Sequence[Sequence[float]]) -> list[Pair]:
    """Minimum-cost assignment of every row (rows <= columns), by shortest augmenting paths.

    Keeps dual potentials ``row_potential``/``column_potential`` with reduced costs
    ``cost - row_potential - column_potential`` >= 0; each row is added by growing a tree of
    tight edges (Dijkstra on reduced costs) from it until a free column is reached, then the
    path is flipped. Column 0 is a sentinel standing for "the row being added".
    """
    n_rows, n_columns = len(cost), len(cost[0])
    infinity = float("inf")
    row_potential = [0.0] * (n_rows + 1)
    column_potential = [0.0] * (n_columns + 1)
    row_of_column = [0] * (n_columns + 1)  # 1-based row assigned to each column, 0 for none
    previous_column = [0] * (n_columns + 1)
    for new_row in range(1, n_rows + 1):
        row_of_column[0] = new_row
        column = 0
        distance = [infinity] * (n_columns + 1)
        in_tree = [False] * (n_columns + 1)
        while row_of_column[column] != 0:
            in_tree[column] = True
            row = row_of_column[column]
            step, next_column = infinity, 0
            for candidate in range(1, n_columns + 1):
                if in_tree[candidate]:
                    continue
                reduced = cost[row - 1][candidate - 1] - row_potential[row] \
                    - column_potential[candidate]
                if reduced < distance[candidate]:
                    distance[candidate] = reduced
                    previous_column[candidate] = column
                if distance[candidate] < step:
                    step, next_column = distance[candidate], candidate
            for candidate in range(n_columns + 1):
                if in_tree[candidate]:
                    row_potential[row_of_column[candidate]] += step
                    column_potential[candidate] -= step
                else:
                    distance[candidate] -= step
            column = next_column
        while column != 0:
            before = previous_column[column]
            row_of_column[column] = row_of_column[before]
            column = before
    return sorted(
        (row_of_column[column] - 1, column - 1)
        for column in range(1, n_columns + 1)
        if row_of_column[column] != 0
    )
