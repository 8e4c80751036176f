"""Words to a report: STAR sentences and timing (segment), the rubric and its checks,
delivery, feedback, the report and its JSON (report); analyze runs them in order."""
