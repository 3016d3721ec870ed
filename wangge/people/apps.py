from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "wangge.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from wangge.core.backup import declare_sealed
        from wangge.people.homes import house_occupied
        from wangge.people.models import Person
        from wangge.places.services import refuse_house_delete_while

        # A restore decrypts a sample of the ID numbers to prove the configured keys open the data.
        declare_sealed(Person, "id_number_enc", context="person.id_number")
        refuse_house_delete_while(house_occupied)
