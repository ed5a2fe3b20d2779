"""StreamField blocks for everything the office publishes; one shared base stream block."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    alt = blocks.CharBlock(
        label=_("替代文字"),
        max_length=200,
        help_text=_("为看不到图片的读者描述图片内容，例如：志愿者在巷口清理积水"),
    )
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "bulletins/blocks/image.html"
        description = _("一张图片，必须填写替代文字")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引语"))
    attribution = blocks.CharBlock(label=_("说话人"), required=False, max_length=80)

    class Meta:
        icon = "openquote"
        label = _("引语")
        template = "bulletins/blocks/quote.html"
        description = _("居民、商户或干部说的一段话")
        preview_value = {"text": "有了商居联盟，楼下饭店的油烟问题一个月就解决了。", "attribution": "幸福里居民 王阿姨"}


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("图集标题"), required=False, max_length=80)
    images = blocks.ListBlock(ImageBlock(), label=_("图片"), min_num=2, max_num=12)

    class Meta:
        icon = "image"
        label = _("图集")
        template = "bulletins/blocks/gallery.html"
        description = _("一组活动照片，2 至 12 张")


class ParagraphBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("正文")
        template = "bulletins/blocks/paragraph.html"
        description = _("一段文字，可加粗、加链接和列表")
        preview_value = "<p>每月 18 日，联盟商户在社区广场摆摊，价格不高于店内价。</p>"


class BodyBlock(blocks.StreamBlock):
    """The body of news, notices, honour rolls and standard pages."""

    paragraph = ParagraphBlock(features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    image = ImageBlock()
    quote = QuoteBlock()
    gallery = GalleryBlock()


def body_text(stream_value):
    """Plain text of a body stream, for search indexing and summaries."""
    parts = []
    for child in stream_value or []:
        value = child.value
        if child.block_type == "paragraph":
            parts.append(strip_tags(value.source))
        elif child.block_type == "quote":
            parts.append(value.get("text", ""))
        elif child.block_type == "image":
            parts.append(value.get("caption", "") or value.get("alt", ""))
        elif child.block_type == "gallery":
            parts.append(value.get("title", ""))
    return "\n".join(p for p in parts if p)
