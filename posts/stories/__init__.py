"""Stories (issue 16): photos and short videos that live 24 hours. Model here, imported by
posts.models; services, selectors, views and the task beside it in this sub-package."""
