/*
 * logkeep: escaping text for JSON, Markdown and XML output.
 */
#ifndef LK_COMMON_ESCAPE_H
#define LK_COMMON_ESCAPE_H

#include "common/buf.h"

/** Appends @p s as a JSON string literal, quotes included (RFC 8259 §7: quote, backslash and
 *  control characters escaped; UTF-8 passes through unchanged). */
void lk_json_escape(struct lk_buf *b, const char *s);

/** Appends @p s as Markdown text for a heading, table cell or list item: nothing in it can end
 *  the cell, start a code span, emphasis, strike-through or a link, or become HTML; line breaks
 *  become <br>, other control characters spaces. */
void lk_md_escape(struct lk_buf *b, const char *s);

/** Appends @p s as XML 1.0 character data: markup characters escaped; with @p attr (an
 *  attribute value) also quotes and the white space attribute normalisation would turn into
 *  spaces; characters XML 1.0 does not allow (controls, U+FFFE, U+FFFF, malformed UTF-8)
 *  replaced by U+FFFD. */
void lk_xml_escape(struct lk_buf *b, const char *s, bool attr);
#endif
