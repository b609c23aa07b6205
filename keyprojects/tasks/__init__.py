"""Task lists (任务清单): each project's dated tasks with a named responsible unit and person,
evidence, working-day deadlines, and the templates that generate a project's standard list."""
