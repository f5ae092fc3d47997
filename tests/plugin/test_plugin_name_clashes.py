"""A user's project with its own `contract` module or `scenarios/` folder: top-level names our
package also uses. Each run is a subprocess, so the user's folder comes first on sys.path
before anything of ours is imported, as in a real project."""

from __future__ import annotations

import pytest


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    scenarios = pytester.mkdir("scenarios")
    (scenarios / "login.yaml").write_text("user: alice\n")
    return pytester


def test_a_project_with_its_own_contract_and_scenarios_that_uses_no_fixture_is_untouched(project):
    project.makepyfile(contract="VALUE = 42\n")
    project.makepyfile(test_own="""
        import contract

        def test_own_contract():
            assert contract.VALUE == 42
    """)
    project.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_built_in_scenario_is_found_beside_a_user_scenarios_folder(project):
    project.makepyfile(test_builtin="""
        import pytest
        from llama_api_client import LlamaAPIClient

        @pytest.mark.llama_scenario("tool-round-trip-native")
        def test_uses_builtin(llama_mock):
            client = LlamaAPIClient(api_key=llama_mock.api_key, base_url=llama_mock.base_url + "/v1")
            client.models.list()
    """)
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_user_contract_module_with_our_fixtures_is_one_clear_error(project):
    project.makepyfile(contract="VALUE = 42\n")
    project.makepyfile(test_clash="""
        def test_uses_mock(llama_mock):
            pass
    """)
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the module name 'contract' is taken by *contract.py*rename*"])
    result.stdout.no_fnmatch_line("*ModuleNotFoundError*")
    result.stdout.no_fnmatch_line("*Traceback*")
