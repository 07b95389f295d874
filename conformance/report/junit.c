/* JUnit XML: one <testsuite> per group, one <testcase> per case with its
 * spec section, level and verdict as properties; failures and errors carry
 * the full decoded log; a waived case is <skipped message="waived: reason">
 * with its log in <system-out>, counted in "skipped" (JUnit has no waived
 * state) and apart in the "waived" property; the headline (cases that harm
 * the target) is a property of every testsuite. */
#include "conformance/runner.h"

static void xml_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			/* XML 1.0 forbids most control characters */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', out);
			else
				fputc(*s, out);
		}
	}
}

static void testcase(FILE *out, const struct conf_case_result *res)
{
	fprintf(out, "    <testcase classname=\"conformance.%s\" name=\"", res->group);
	xml_text(out, res->kase->id);
	fputc(' ', out);
	xml_text(out, res->kase->title);
	fprintf(out, "\" time=\"%.3f\">\n      <properties>\n", res->seconds);
	fprintf(out, "        <property name=\"spec\" value=\"");
	xml_text(out, res->kase->spec);
	fprintf(out, "\"/>\n        <property name=\"level\" value=\"%s\"/>\n"
		     "        <property name=\"verdict\" value=\"%s\"/>\n      </properties>\n",
		conf_level_name(res->kase->level), conf_result_name(res->result));
	switch (res->result) {
	case CONF_FAIL:
	case CONF_ERROR:
		fprintf(out, "      <%s message=\"%s\">", res->result == CONF_FAIL ? "failure" : "error",
			res->result == CONF_FAIL ? "does not conform" : "could not run");
		xml_text(out, res->log);
		fprintf(out, "</%s>\n", res->result == CONF_FAIL ? "failure" : "error");
		break;
	case CONF_SKIP:
	case CONF_NOT_RUN:
		fprintf(out, "      <skipped message=\"");
		xml_text(out, res->log);
		fprintf(out, "\"/>\n");
		break;
	case CONF_WAIVED:
		fprintf(out, "      <system-out>");
		xml_text(out, res->log);
		fprintf(out, "</system-out>\n");
		break;
	default:
		break;
	}
	fprintf(out, "    </testcase>\n");
}

int conf_report_junit(const struct conf_run *r, FILE *out)
{
	char headline[512];

	conf_run_headline(r, headline, sizeof(headline));
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"nvmf-sim conformance\" tests=\"%zu\" failures=\"%u\" "
		     "errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
		r->n, r->counts[CONF_FAIL], r->counts[CONF_ERROR],
		r->counts[CONF_SKIP] + r->counts[CONF_WAIVED] + r->counts[CONF_NOT_RUN], r->seconds);
	for (size_t i = 0; i < r->n;) {
		const char *group = r->results[i].group;
		unsigned int tests = 0, fail = 0, err = 0, skip = 0, waived = 0;
		double secs = 0;
		size_t j;

		for (j = i; j < r->n && r->results[j].group == group; j++) {
			tests++;
			fail += r->results[j].result == CONF_FAIL;
			err += r->results[j].result == CONF_ERROR;
			skip += r->results[j].result == CONF_SKIP ||
				r->results[j].result == CONF_WAIVED ||
				r->results[j].result == CONF_NOT_RUN;
			waived += r->results[j].result == CONF_WAIVED;
			secs += r->results[j].seconds;
		}
		fprintf(out, "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
			     "skipped=\"%u\" time=\"%.3f\">\n",
			group, tests, fail, err, skip, secs);
		fprintf(out, "    <properties>\n      <property name=\"waived\" value=\"%u\"/>\n",
			waived);
		if (headline[0]) {
			fprintf(out, "      <property name=\"headline\" value=\"");
			xml_text(out, headline);
			fprintf(out, "\"/>\n");
		}
		fprintf(out, "    </properties>\n");
		for (; i < j; i++)
			testcase(out, &r->results[i]);
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
	return ferror(out) ? -1 : 0;
}
