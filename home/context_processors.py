TEXT_SIZE_COOKIE = "text_size"


def text_size(request):
    """Whether the resident chose large text; set by the text-size switch, kept in a cookie."""
    return {"large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large"}
