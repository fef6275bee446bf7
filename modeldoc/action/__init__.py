"""The GitHub Action's entry scripts: `pr` analyses a pull request (runs under `pull_request`),
`comment` posts its summary on the pull request (runs under `workflow_run`, standard library only).
"""
