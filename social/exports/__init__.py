"""Download your information (issue 15): the person's archive, assembled from each layer's part
(`accounts.exports`, `posts.exports`, `parts.py` here), written as a ZIP by a background task
(`social.tasks.data_export_build`) and downloadable by its owner until it expires. The archive's
layout is docs/export.md (stable: version 1).

- `parts.py`: social's part (notifications);
- `archive.py`: writes the ZIP (JSON documents, index.html, the media files streamed from storage);
- `services.py`: request, build, expire, delete (writes); `selectors.py`: reads for the pages;
- `views.py`, `urls.py`: Settings → "Download your information" and the download itself.
"""
