from django.urls import path

from mentora.reports import views

urlpatterns = [
    path("programmes/<int:programme_id>/report/", views.programme_report, name="programme_report"),
    path(
        "programmes/<int:programme_id>/report.pdf",
        views.programme_report_pdf,
        name="programme_report_pdf",
    ),
    path(
        "programmes/<int:programme_id>/report.xlsx",
        views.programme_report_xlsx,
        name="programme_report_xlsx",
    ),
    path(
        "programmes/<int:programme_id>/report/charts/survey-<int:survey_id>.svg",
        views.report_chart_survey,
        name="report_chart_survey",
    ),
    path(
        "programmes/<int:programme_id>/report/charts/retention.svg",
        views.report_chart_retention,
        name="report_chart_retention",
    ),
    path("org/<slug:slug>/outcomes/", views.organisation_outcomes, name="organisation_outcomes"),
    path(
        "programmes/<int:programme_id>/standards/",
        views.programme_standards,
        name="programme_standards",
    ),
    path(
        "programmes/<int:programme_id>/standards.pdf",
        views.programme_standards_pdf,
        name="programme_standards_pdf",
    ),
    path(
        "programmes/<int:programme_id>/report/benchmark.json",
        views.benchmark_export,
        name="benchmark_export",
    ),
    path(
        "programmes/<int:programme_id>/report/benchmark/",
        views.benchmark_upload,
        name="benchmark_upload",
    ),
]
