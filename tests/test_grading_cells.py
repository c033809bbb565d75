"""Finding exercises' cells in students' notebooks, whatever happened to their metadata."""

from __future__ import annotations

import nbformat

from genenorm_edu.grading.cells import GradedTest, answer_sources, exercises_in, graded_test


def code(source: str, grade_id: str | None = None, cell_id: str | None = None, **flags):
    cell = nbformat.v4.new_code_cell(source)
    if cell_id:
        cell["id"] = cell_id
    if grade_id:
        cell.metadata["nbgrader"] = {"grade_id": grade_id, **flags}
    return cell


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_graded_test_reads_the_course_naming_rule():
    assert graded_test("test_qnorm_visible") == GradedTest("qnorm", hidden=False)
    assert graded_test("test_qnorm_hidden") == GradedTest("qnorm", hidden=True)
    assert graded_test("qnorm") is None and graded_test("test_qnorm_other") is None


def test_the_last_definition_above_the_test_cells_is_the_answer():
    nb = notebook(
        code("def rpkm(c, g):\n    return 1", grade_id="rpkm", solution=True),
        code("def rpkm(c, g):\n    return 2", grade_id="rpkm", solution=True),
        code("check_exercise('rpkm', rpkm)", grade_id="test_rpkm_visible", grade=True),
        code("def rpkm(c, g):\n    return 3"),
    )
    assert answer_sources(nb, "rpkm") == ["def rpkm(c, g):\n    return 2"]


def test_a_function_written_in_a_new_cell_below_the_stub_is_the_answer():
    nb = notebook(
        code("def rpkm(c, g):\n    raise NotImplementedError()", grade_id="rpkm", solution=True),
        code("import math\nx = 1\ndef rpkm(c, g):\n    return 4"),
        code("check_exercise('rpkm', rpkm)", grade_id="test_rpkm_visible", grade=True),
    )
    assert answer_sources(nb, "rpkm") == ["import math\nx = 1\ndef rpkm(c, g):\n    return 4"]


def test_without_test_cells_the_last_definition_in_the_notebook_counts():
    nb = notebook(
        code("def rpkm(c, g):\n    return 1"),
        code("print(1)"),
        code("def rpkm(c, g):\n    return 5"),
    )
    assert answer_sources(nb, "rpkm") == ["def rpkm(c, g):\n    return 5"]


def test_nested_definitions_do_not_count():
    nb = notebook(
        code("def rpkm(c, g):\n    return 1"), code("def helper():\n    def rpkm():\n        pass")
    )
    assert answer_sources(nb, "rpkm") == ["def rpkm(c, g):\n    return 1"]


def test_a_cell_with_a_syntax_error_that_tries_to_define_it_is_still_the_answer():
    nb = notebook(code("def rpkm(c, g)\n    return 5"))
    assert answer_sources(nb, "rpkm") == ["def rpkm(c, g)\n    return 5"]


def test_no_answer_gives_an_empty_list():
    assert answer_sources(notebook(code("print(1)")), "rpkm") == []


def test_exercises_in_lists_exercises_with_test_cells_in_order():
    nb = notebook(
        code("", grade_id="test_rpkm_hidden", grade=True),
        code("", grade_id="test_qnorm_visible", grade=True),
        code("", grade_id="test_rpkm_visible", grade=True),
        code("", grade_id="unrelated", grade=True),
    )
    assert exercises_in(nb) == ["rpkm", "qnorm"]


def test_an_answer_bound_as_a_lambda_is_the_answer():
    lam = nbformat.v4.new_code_cell("rpkm = lambda counts, gene_lengths: counts / gene_lengths")
    use = nbformat.v4.new_code_cell("rpkm_values = rpkm(counts, lengths)\nrpkm == 3")
    notebook = nbformat.v4.new_notebook(cells=[lam, use])
    assert answer_sources(notebook, "rpkm") == [lam.source]
    annotated = nbformat.v4.new_code_cell("rpkm: object = lambda counts, gene_lengths: counts")
    assert answer_sources(nbformat.v4.new_notebook(cells=[annotated]), "rpkm") == [annotated.source]
