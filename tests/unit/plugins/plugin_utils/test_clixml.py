# -*- coding: utf-8 -*-
"""The error stream powershell.exe writes as CLIXML, read back as text (plugins/plugin_utils/clixml.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils import clixml

OBJS = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'


def _document(*strings):
    return "#< CLIXML\r\n" + OBJS + "".join(strings) + "</Objs>"


def test_error_lines_are_joined_with_their_line_ends():
    stderr = _document('<S S="Error">Get-Nope : The term _x000D__x000A_</S>',
                       '<S S="Error">+ CategoryInfo : ObjectNotFound_x000D__x000A_</S>')
    assert clixml.error_text(stderr) == "Get-Nope : The term \r\n+ CategoryInfo : ObjectNotFound\r\n"


def test_other_streams_are_left_out():
    stderr = _document('<S S="warning">careful_x000D__x000A_</S>', '<S S="Error">broken_x000D__x000A_</S>',
                       '<S S="verbose">chatty</S>')
    assert clixml.error_text(stderr) == "broken\r\n"


def test_xml_entities_code_units_surrogates_and_a_literal_underscore_x():
    stderr = _document('<S S="Error">&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; _x0009_tab '
                       '_xD83D__xDE00_ _x005F_x0041_ é</S>')
    assert clixml.error_text(stderr) == "<a> & \"b\" 'c' \ttab \U0001F600 _x0041_ é"


def test_an_entity_is_never_expanded_twice():
    assert clixml.decode_string("&amp;lt;") == "&lt;"


def test_a_lone_surrogate_is_replaced_not_raised():
    assert clixml.decode_string("a_xD800_b") == "a\ufffdb"


def test_text_before_the_header_is_kept():
    stderr = "robocopy said this\r\n" + _document('<S S="Error">and then this</S>')
    assert clixml.error_text(stderr) == "robocopy said this\r\nand then this"


def test_what_is_not_clixml_comes_back_unchanged():
    for stderr in ("plain error text", "#< CLIXML\r\n<Objs>not closed", _document('<S S="warning">w</S>')):
        assert clixml.error_text(stderr) == stderr


def test_it_reads_what_the_lab_writes():
    """The lab's writer follows the same rules ([MS-PSRP] 2.2.5.3.2): a round trip gives the lines back."""
    from wsfc_lab.pwsh.clixml import stream_document  # pylint: disable=import-error
    lines = ["Move-ClusterSharedVolume : 'Vol <1>' & \"x\"", "tab\there", "_x0041_ stays", "\U0001F600 é"]
    document = stream_document([("Error", line) for line in lines] + [("warning", "not an error")])
    assert clixml.error_text(document) == "".join(line + "\r\n" for line in lines)
