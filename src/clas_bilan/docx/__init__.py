"""Everything that touches WordprocessingML below python-docx's public API lives here.

python-docx internals relied on (``python-docx>=1.1.0,<2``; CI also runs the lower bound),
each tested through render, extract or the template build:

* ``docx.opc.pkgwriter._ContentTypesItem.from_parts`` (``save``): builds
  ``[Content_Types].xml`` for our own package writer; private, the one most at risk;
* ``docx.oxml.parser.oxml_parser`` (``fields.element``): python-docx's lxml parser, so new
  elements get its custom element classes (what ``OxmlElement`` does, at half the cost);
* ``Part.partname.membername``, ``Part.rels.xml``, ``Part.blob``, ``Package.iter_parts()``,
  ``PACKAGE_URI.rels_uri`` (``save``, ``package``): the OPC layer, public in the module
  but undocumented;
* proxies' ``_p``, ``_r``, ``_tr``, ``_tbl``, ``_tc``, ``_Cell`` and the oxml helpers
  ``get_or_add_*`` / ``insert_element_before`` / ``add_tc`` (``template``, ``fields``): only
  when building the template, checked by the committed-template test;
* ``docx.image.image.Image.from_blob`` and ``docx.image.exceptions`` (``signature_image``):
  the header parser ``Run.add_picture`` runs, to check a signature image before placing it;
  ``CT_PPr.keepNext_val`` (``signature``) keeps the added signature block on one page;
* ``Package.rels`` (a dict of relationships: ``items``, ``pop``), ``Package.relate_to``,
  ``Package.part_related_by`` and ``docx.opc.part.Part`` (``custom``): the custom
  properties part, which python-docx does not model, added or replaced by render;
* ``copy.deepcopy`` of a whole ``Document`` (``batch.Template.copy``): copies the package
  graph; not a documented use, tested by the batch tests.
"""
